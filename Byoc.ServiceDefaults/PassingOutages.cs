using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The exceptions that mean a dependency is away for a moment (Redis restarting, still loading its data, a
/// connection not yet made) rather than a bug: a request that meets one is answered 503 with Retry-After, which a
/// platform and CXone retry, never 500.
/// </summary>
public sealed class PassingOutageOptions
{
    public List<Type> Exceptions { get; } = [];

    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Answers <see cref="PassingOutageOptions.Exceptions"/> (anywhere in the exception's chain) with 503 and Retry-After.</summary>
public sealed partial class PassingOutagesAs503(IOptions<PassingOutageOptions> options, IProblemDetailsService problems, ILogger<PassingOutagesAs503> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (Passing(exception) is not { } outage)
        {
            return false;
        }

        // The type and message only: connection details stay out of the answer, and the stack out of the log.
        LogOutage(logger, httpContext.Request.Method, httpContext.Request.Path, outage.GetType().Name, outage.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(options.Value.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Temporarily unavailable",
                Detail = "A service this depends on is restarting; retry later.",
            },
        });
    }

    private Exception? Passing(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (options.Value.Exceptions.Any(t => t.IsInstanceOfType(e)))
            {
                return e;
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "{Method} {Path} met a passing outage ({Exception}: {Message}); answered 503 with Retry-After")]
    private static partial void LogOutage(ILogger logger, string method, string path, string exception, string message);
}

public static class PassingOutageExtensions
{
    /// <summary>Requests that meet a <typeparamref name="TException"/> are answered 503 with Retry-After instead of 500.</summary>
    public static IHostApplicationBuilder AnswerOutagesOf<TException>(this IHostApplicationBuilder builder) where TException : Exception
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, PassingOutagesAs503>());
        builder.Services.Configure<PassingOutageOptions>(o =>
        {
            if (!o.Exceptions.Contains(typeof(TException)))
            {
                o.Exceptions.Add(typeof(TException));
            }
        });
        return builder;
    }
}
