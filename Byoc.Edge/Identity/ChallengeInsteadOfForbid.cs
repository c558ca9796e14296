using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Byoc.Edge.Identity;

/// <summary>
/// CXone fetches a new token only after a 401 (cxone-contract §2.1), so a callback must never answer 403:
/// a failed authorization challenges (401 with WWW-Authenticate) instead of forbidding.
/// </summary>
public sealed class ChallengeInsteadOfForbid : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult) =>
        authorizeResult.Forbidden
            ? _default.HandleAsync(next, context, policy, PolicyAuthorizationResult.Challenge())
            : _default.HandleAsync(next, context, policy, authorizeResult);
}
