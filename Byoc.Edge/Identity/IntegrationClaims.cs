using System.Security.Claims;

namespace Byoc.Edge.Identity;

/// <summary>The claims an Edge access token carries: which CXone integration (and tenant) CXone called as.</summary>
public static class IntegrationClaims
{
    public const string IntegrationId = "byoc_integration_id";
    public const string TenantId = "byoc_tenant_id";

    /// <summary>The generation of the client secret the token was issued to; revoked generations get 401.</summary>
    public const string SecretGeneration = "byoc_secret_generation";
}

public static class IntegrationClaimsPrincipalExtensions
{
    public static string IntegrationId(this ClaimsPrincipal user) => user.FindFirst(IntegrationClaims.IntegrationId)?.Value ?? string.Empty;
}
