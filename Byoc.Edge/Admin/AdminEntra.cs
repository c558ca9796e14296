using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;

namespace Byoc.Edge.Admin;

/// <summary>
/// Entra ID bearer tokens for the admin API (Microsoft.Identity.Web), active only when <c>AzureAd:ClientId</c> is set.
/// The token's app roles (<c>Byoc.Admin</c>, <c>Byoc.Viewer</c>) become the admin roles and its repeated
/// <c>byoc_tenant</c> claims the tenant scope (none: every tenant).
/// </summary>
public static class AdminEntra
{
    /// <summary>The JwtBearer scheme Microsoft.Identity.Web validates with (tests post-configure its options).</summary>
    public const string JwtScheme = "AdminEntraJwt";

    /// <summary>The scheme the admin policy forwards bearer requests to: the validated token mapped to an admin.</summary>
    public const string BearerScheme = "AdminEntraBearer";

    public const string Section = "AzureAd";

    public static bool IsConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[$"{Section}:ClientId"]);

    public static AuthenticationBuilder AddAdminEntraBearer(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        authentication.AddMicrosoftIdentityWebApi(configuration.GetSection(Section), jwtBearerScheme: JwtScheme, subscribeToJwtBearerMiddlewareDiagnosticsEvents: false);
        authentication.AddScheme<AuthenticationSchemeOptions, AdminEntraBearerHandler>(BearerScheme, null);
        return authentication;
    }

    /// <summary>An Entra principal (a token's or a sign-in's) as an admin: roles, tenants, name and how they signed in.</summary>
    public static ClaimsPrincipal ToAdmin(ClaimsPrincipal entra, string authenticationType)
    {
        var claims = new List<Claim> { new(AdminUser.ViaClaim, "entra") };
        var name = entra.FindFirstValue("name") ?? entra.FindFirstValue("preferred_username") ?? entra.FindFirstValue(ClaimTypes.Name)
            ?? entra.FindFirstValue(ClaimConstants.ObjectId) ?? entra.FindFirstValue(ClaimConstants.Oid) ?? "entra user";
        claims.Add(new Claim(ClaimTypes.Name, name));
        // Entra sends "roles"; depending on inbound claim mapping it arrives as "roles", "role" or ClaimTypes.Role.
        var roles = entra.Claims.Where(c => c.Type is "roles" or "role" or ClaimTypes.Role).Select(c => c.Value)
            .Where(r => r is AdminRoles.Admin or AdminRoles.Viewer).Distinct(StringComparer.Ordinal);
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(entra.FindAll(AdminUser.TenantClaim).Select(c => new Claim(AdminUser.TenantClaim, c.Value)).DistinctBy(c => c.Value));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }
}

/// <summary>Validates the bearer with Microsoft.Identity.Web's JwtBearer scheme and answers with the admin principal.</summary>
public sealed class AdminEntraBearerHandler(IOptionsMonitor<AuthenticationSchemeOptions> schemes, ILoggerFactory loggerFactory, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemes, loggerFactory, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var result = await Context.AuthenticateAsync(AdminEntra.JwtScheme);
        if (!result.Succeeded)
        {
            return result.None ? AuthenticateResult.NoResult() : AuthenticateResult.Fail(result.Failure ?? new InvalidOperationException("The bearer token is not valid."));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(AdminEntra.ToAdmin(result.Principal, AdminEntra.BearerScheme), result.Properties, AdminEntra.BearerScheme));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: "The bearer token is not a valid Entra ID token for the admin API.").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: "This needs the Byoc.Admin role (or Byoc.Viewer to read).").ExecuteAsync(Context);
}
