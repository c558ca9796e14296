using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace Byoc.Edge.Admin.SignIn;

/// <summary>The admin session cookie's principal: name, role, tenants and how the admin signed in.</summary>
public static class AdminSession
{
    /// <summary>Where "Done" returns to: CXone's backUrl of a session opened from CXone (already validated).</summary>
    public const string BackUrlClaim = "byoc_back_url";

    public static ClaimsPrincipal Principal(string name, string via, string role, IEnumerable<string>? tenantIds, params Claim[] more)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(ClaimTypes.Role, role), new(AdminUser.ViaClaim, via) };
        claims.AddRange((tenantIds ?? []).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).Select(t => new Claim(AdminUser.TenantClaim, t)));
        claims.AddRange(more);
        return new ClaimsPrincipal(new ClaimsIdentity(claims, AdminExtensions.CookieScheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    public static Task SignInAsync(HttpContext context, ClaimsPrincipal principal, TimeSpan lifetime, TimeProvider time) =>
        context.SignInAsync(AdminExtensions.CookieScheme, principal, new AuthenticationProperties
        {
            IsPersistent = false,
            IssuedUtc = time.GetUtcNow(),
            ExpiresUtc = time.GetUtcNow() + lifetime,
            AllowRefresh = false,
        });

    /// <summary>Only a local path of the admin UI: a sign-in must not be an open redirect.</summary>
    public static string LocalAdminPath(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl.StartsWith("/admin", StringComparison.Ordinal) && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.Contains('\\', StringComparison.Ordinal) && !returnUrl.Any(char.IsControl) && Uri.TryCreate(returnUrl, UriKind.Relative, out _)
            ? returnUrl
            : "/admin";
}
