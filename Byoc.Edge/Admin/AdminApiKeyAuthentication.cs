using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Byoc.Edge.Admin;

/// <summary>
/// Automation's way into the admin API: the key configured in <c>Edge:Admin:ApiKey</c>, sent in <c>X-Api-Key</c> and
/// compared in constant time, makes the caller an Admin of every tenant. With no key configured nothing signs in this way.
/// </summary>
public sealed partial class AdminApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> schemes,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<AdminOptions> admin)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemes, loggerFactory, encoder)
{
    public const string SchemeName = "AdminApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var expected = admin.Value.ApiKey;
        var presented = values.ToString();
        // Hashing first gives both sides the same length, so the comparison time says nothing about the key.
        if (string.IsNullOrEmpty(expected) || string.IsNullOrEmpty(presented)
            || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(presented))))
        {
            LogRefused(Logger, Request.Path, Context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return Task.FromResult(AuthenticateResult.Fail($"A valid {HeaderName} header is required."));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "api-key"), new Claim(ClaimTypes.Role, AdminRoles.Admin), new Claim(AdminUser.ViaClaim, "api-key")],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: "Sign in to the admin UI, or send an admin bearer token or a valid X-Api-Key.").ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: "This needs the Byoc.Admin role.").ExecuteAsync(Context);

    [LoggerMessage(EventId = 4104, EventName = "SecurityAdminKeyRefused", Level = LogLevel.Warning,
        Message = "Security: admin call to {Path} from {Address} refused (wrong API key)")]
    private static partial void LogRefused(ILogger logger, string path, string address);
}
