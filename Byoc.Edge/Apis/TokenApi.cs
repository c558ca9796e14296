using System.Security.Claims;
using Byoc.Edge.Cxone;
using Byoc.Edge.Identity;
using Byoc.Edge.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Byoc.Edge.Apis;

public static class TokenApi
{
    /// <summary>
    /// The token endpoint (cxone-contract §2.1) at <c>/1.0/token</c> and every configured Authorization URL path.
    /// OpenIddict parses and validates the request and writes OAuth errors; this handler runs only for a request
    /// whose credentials Conversations accepted, and signs the token in.
    /// </summary>
    public static IEndpointRouteBuilder MapTokenApi(this IEndpointRouteBuilder app)
    {
        var paths = app.ServiceProvider.GetRequiredService<IOptions<CxoneTokenOptions>>().Value.AllPaths().ToList();
        for (var i = 0; i < paths.Count; i++)
        {
            var endpoint = app.MapPost(paths[i], IssueToken)
                .WithTags("CXone token")
                .WithName(i == 0 ? "IssueToken" : $"IssueTokenAt{i}")
                .WithSummary(i == 0 ? "Issue an access token to CXone" : $"Issue an access token to CXone (configured Authorization URL {paths[i]})")
                .WithDescription("OAuth 2.0 client credentials. The client id and secret may come as JSON, form-encoded, or HTTP Basic. " +
                                 "Errors are RFC 6749 bodies: 400 invalid_request/unsupported_grant_type, 401 invalid_client, " +
                                 "503 while credentials cannot be checked (Retry-After). Repeated wrong credentials are answered more and more slowly (up to Edge:Token:MaxFailureDelay); right ones never are.")
                .Accepts<TokenRequest>("application/json", "application/x-www-form-urlencoded")
                .Produces<TokenResponse>(StatusCodes.Status200OK)
                .Produces<OAuthError>(StatusCodes.Status400BadRequest)
                .Produces<OAuthError>(StatusCodes.Status401Unauthorized)
                .Produces<OAuthError>(StatusCodes.Status503ServiceUnavailable)
                .AllowAnonymous()
                .WithExamples(CxoneSamples.TokenRequest,
                    (StatusCodes.Status200OK, CxoneSamples.TokenResponse),
                    (StatusCodes.Status400BadRequest, CxoneSamples.UnsupportedGrantType),
                    (StatusCodes.Status401Unauthorized, CxoneSamples.InvalidClient));
        }

        return app;
    }

    private static Results<SignInHttpResult, JsonHttpResult<OAuthError>> IssueToken(HttpContext context)
    {
        // Only reachable through OpenIddict's passthrough, after VerifyCxoneClient accepted the credentials.
        if (context.Items[typeof(VerifiedIntegration)] is not VerifiedIntegration integration)
        {
            return TypedResults.Json(new OAuthError(Errors.InvalidClient, "The client is not authenticated."), CxoneJson.Default.OAuthError, statusCode: StatusCodes.Status401Unauthorized);
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, integration.IntegrationId)
            .SetClaim(IntegrationClaims.IntegrationId, integration.IntegrationId)
            .SetClaim(IntegrationClaims.TenantId, integration.TenantId)
            .SetClaim(IntegrationClaims.SecretGeneration, integration.SecretGeneration.ToString(System.Globalization.CultureInfo.InvariantCulture));
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return TypedResults.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
