using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Byoc.Edge.Identity;

/// <summary>
/// CXone fetches a new token only after a 401 (cxone-contract §2.1), so a callback must never answer 403:
/// a failed authorization challenges (401 with WWW-Authenticate) instead of forbidding.
/// </summary>
public sealed class ChallengeInsteadOfForbid : IAuthorizationMiddlewareResultHandler
{
    /// <summary>HttpContext item: the bearer token is well signed but its client secret was revoked (the reason).</summary>
    public const string RevokedTokenKey = "Byoc.RevokedToken";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Succeeded && context.Items[RevokedTokenKey] is string reason)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{reason}\"";
            return Task.CompletedTask;
        }

        // Only CXone's callbacks: the admin API and pages answer 403 to a user without the role.
        return authorizeResult.Forbidden && policy.AuthenticationSchemes.Contains(CxoneBearerHandler.SchemeName)
            ? _default.HandleAsync(next, context, policy, PolicyAuthorizationResult.Challenge())
            : _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
