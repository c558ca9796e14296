using Byoc.Edge.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Byoc.Edge.Cxone;

/// <summary>
/// Turns what Conversations answers over gRPC into HTTP (ARCHITECTURE §8), so no RpcException ever becomes a 500.
/// A channel of another integration answers exactly like an unknown one (404), and is logged as a security event.
/// </summary>
public sealed partial class ConversationsErrors(IOptions<EdgeOptions> options, ILogger<ConversationsErrors> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (RpcException e)
        {
            var problem = ToHttp(e, context.HttpContext);
            if (context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<NeverAnError>() is null)
            {
                return problem;
            }

            // Logged like any other refusal above; CXone is not told.
            LogSwallowed(logger, e.StatusCode, context.HttpContext.Request.Path);
            context.HttpContext.Response.Headers.Remove(Microsoft.Net.Http.Headers.HeaderNames.RetryAfter);
            return TypedResults.NoContent();
        }
    }

    private ProblemHttpResult ToHttp(RpcException e, HttpContext http)
    {
        switch (e.StatusCode)
        {
            case StatusCode.InvalidArgument:
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Request refused", detail: e.Status.Detail);
            case StatusCode.PermissionDenied:
                LogCrossIntegrationAccess(logger, http.User.IntegrationId(), http.Request.Method, http.Request.Path);
                return NotFound();
            case StatusCode.NotFound:
                return NotFound();
            case StatusCode.AlreadyExists or StatusCode.FailedPrecondition:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: e.Status.Detail);
            case StatusCode.ResourceExhausted:
                http.Response.Headers.RetryAfter = Seconds(options.Value.RetryAfter);
                return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");
            case StatusCode.DeadlineExceeded:
                LogConversationsFailure(logger, e.StatusCode, http.Request.Path);
                return TypedResults.Problem(statusCode: StatusCodes.Status504GatewayTimeout, title: "Conversations did not answer in time");
            default:
                // Unavailable, and anything unexpected: CXone retries a 503, and no detail of ours leaks.
                LogConversationsFailure(logger, e.StatusCode, http.Request.Path);
                http.Response.Headers.RetryAfter = Seconds(options.Value.RetryAfter);
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Temporarily unavailable",
                    detail: "The middleware cannot deliver right now; retry later.");
        }
    }

    // One body for "unknown" and "not yours", so a caller cannot tell them apart.
    private static ProblemHttpResult NotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No such channel or thread for this integration.");

    private static string Seconds(TimeSpan value) => ((int)Math.Ceiling(value.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 4001, EventName = "SecurityCrossIntegrationAccess", Level = LogLevel.Warning,
        Message = "Security: integration {IntegrationId} tried {Method} {Path}, which belongs to another integration")]
    private static partial void LogCrossIntegrationAccess(ILogger logger, string integrationId, string method, string path);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Conversations answered {StatusCode} for {Path}; CXone is answered 204 all the same")]
    private static partial void LogSwallowed(ILogger logger, StatusCode statusCode, string path);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Conversations answered {StatusCode} for {Path}")]
    private static partial void LogConversationsFailure(ILogger logger, StatusCode statusCode, string path);
}

/// <summary>Endpoint metadata: what Conversations answers is logged, and the caller gets 204 whatever it was (typing).</summary>
public sealed class NeverAnError;
