using Byoc.Administration.V1;

namespace Byoc.Edge.Admin;

/// <summary>The tenant scope Conversations applies to every admin call, from who signed in.</summary>
public static class AdminScopes
{
    public static TenantScope Of(AdminUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.TenantIds is null ? new TenantScope { AllTenants = true } : new TenantScope { TenantIds = { user.TenantIds } };
    }

    /// <summary>Only an Admin changes: pages check it too, not only the endpoints' policy.</summary>
    public static void RequireChange(AdminUser user)
    {
        if (!user.CanChange)
        {
            throw new UnauthorizedAccessException("This needs the Byoc.Admin role.");
        }
    }
}

/// <summary>Where CXone and the platforms reach this Edge: <c>Edge:PublicBaseUrl</c> when set, else the request's own base.</summary>
public sealed class PublicUrls(IConfiguration configuration)
{
    public string Base(string requestBase)
    {
        var configured = configuration["Edge:PublicBaseUrl"];
        return (string.IsNullOrEmpty(configured) ? requestBase : configured).TrimEnd('/');
    }

    public static string RequestBase(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";
}
