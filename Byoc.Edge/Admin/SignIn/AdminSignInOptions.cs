using System.ComponentModel.DataAnnotations;

namespace Byoc.Edge.Admin.SignIn;

/// <summary>How admins sign in to the admin UI (section <c>Edge:Admin</c>; Entra ID is configured under <c>AzureAd</c>).</summary>
public sealed class AdminSignInOptions
{
    public const string Section = "Edge:Admin";

    /// <summary>
    /// The local sign-in (pick a role and tenants, no password): on by default in Development, and refused at start-up
    /// anywhere else — it cannot be switched on in Production.
    /// </summary>
    public bool? DevelopmentSignIn { get; set; }

    /// <summary>How long a session of a directly signed-in admin (Entra ID, CXone account, Development) lasts.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How long a session opened from CXone (the Action URL) lasts: short, as CXone's link is for one visit.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan ActionUrlSessionLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Sign-in with the admin's own CXone account (CXone as OpenID Connect provider).</summary>
    public AdminCxoneSignInOptions Cxone { get; set; } = new();
}

/// <summary>CXone as OpenID Connect provider (section <c>Edge:Admin:Cxone</c>): on when Authority and ClientId are set.</summary>
public sealed class AdminCxoneSignInOptions
{
    /// <summary>CXone's issuer, e.g. <c>https://cxone.niceincontact.com</c> (its /.well-known/openid-configuration).</summary>
    public Uri? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Per CXone tenant id, which of its users are admins and viewers (emails, or <c>*</c> for every user).</summary>
    public Dictionary<string, AdminCxoneTenantRoles> Tenants { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public bool IsConfigured => Authority is not null && !string.IsNullOrWhiteSpace(ClientId);

    /// <summary>The role a CXone user of a tenant has by configuration, or null when they have none.</summary>
    public string? RoleOf(string tenantId, string? email)
    {
        if (!Tenants.TryGetValue(tenantId, out var roles))
        {
            return null;
        }

        bool Listed(List<string> users) => users.Any(u => u == "*" || (email is { Length: > 0 } && string.Equals(u, email, StringComparison.OrdinalIgnoreCase)));
        return Listed(roles.Admins) ? AdminRoles.Admin : Listed(roles.Viewers) ? AdminRoles.Viewer : null;
    }
}

public sealed class AdminCxoneTenantRoles
{
    public List<string> Admins { get; set; } = [];

    public List<string> Viewers { get; set; } = [];
}
