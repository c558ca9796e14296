using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Byoc.Edge.Identity;

/// <summary>
/// Guards the admin API with a configured key in <c>X-Api-Key</c>, compared in constant time. A stop-gap until the
/// admin UI's Entra ID sign-in arrives; with no key configured the admin API refuses every call.
/// </summary>
public sealed partial class AdminApiKey(IOptions<AdminOptions> options, ILogger<AdminApiKey> logger) : IEndpointFilter
{
    public const string HeaderName = "X-Api-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = options.Value.ApiKey;
        var presented = context.HttpContext.Request.Headers[HeaderName].ToString();
        // Hashing first gives both sides the same length, so the comparison time says nothing about the key.
        if (string.IsNullOrEmpty(expected) || string.IsNullOrEmpty(presented)
            || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(presented))))
        {
            LogRefused(logger, context.HttpContext.Request.Path, context.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: $"A valid {HeaderName} header is required.");
        }

        return await next(context);
    }

    [LoggerMessage(EventId = 4104, EventName = "SecurityAdminKeyRefused", Level = LogLevel.Warning,
        Message = "Security: admin call to {Path} from {Address} refused (missing or wrong API key)")]
    private static partial void LogRefused(ILogger logger, string path, string address);
}
