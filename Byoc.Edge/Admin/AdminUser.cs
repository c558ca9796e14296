using System.Security.Claims;

namespace Byoc.Edge.Admin;

/// <summary>
/// Who is administering, and which tenants they may see: every tenant (<see cref="TenantIds"/> null) or the listed ones.
/// Every admin endpoint and page scopes what it reads and changes with <see cref="CanSee"/>.
/// </summary>
public sealed record AdminUser(string Name, string Via, string Role, IReadOnlySet<string>? TenantIds)
{
    /// <summary>A tenant the user may administer; repeated, and absent for a user of every tenant.</summary>
    public const string TenantClaim = "byoc_tenant";

    /// <summary>How the user signed in: api-key, entra, cxone, development or cxone-action-url.</summary>
    public const string ViaClaim = "byoc_via";

    public bool AllTenants => TenantIds is null;

    public bool CanChange => Role == AdminRoles.Admin;

    public bool CanSee(string tenantId) => TenantIds is null || TenantIds.Contains(tenantId);

    /// <summary>The signed-in admin user, or null when the principal holds neither admin role.</summary>
    public static AdminUser? From(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var role = principal.IsInRole(AdminRoles.Admin) ? AdminRoles.Admin : principal.IsInRole(AdminRoles.Viewer) ? AdminRoles.Viewer : null;
        if (role is null)
        {
            return null;
        }

        var tenants = principal.FindAll(TenantClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var name = principal.FindFirstValue("name") ?? principal.FindFirstValue(ClaimTypes.Name)
            ?? principal.FindFirstValue("preferred_username") ?? principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown";
        return new AdminUser(name, principal.FindFirstValue(ViaClaim) ?? "unknown", role, tenants.Count == 0 ? null : tenants);
    }
}
