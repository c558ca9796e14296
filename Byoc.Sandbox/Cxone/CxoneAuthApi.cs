using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Byoc.Sandbox.Cxone;

/// <summary>CXone's authentication and discovery (cxone-contract §3.1), as the middleware calls them.</summary>
public static class CxoneAuthApi
{
    public static IEndpointRouteBuilder MapCxoneAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/openid-configuration", (HttpRequest request) =>
            {
                var issuer = Issuer(request);
                return TypedResults.Json(new JsonObject
                {
                    ["issuer"] = issuer,
                    ["token_endpoint"] = $"{issuer}/auth/token",
                    ["authorization_endpoint"] = $"{issuer}/auth/authorize",
                    ["jwks_uri"] = $"{issuer}/auth/jwks",
                    ["grant_types_supported"] = new JsonArray("password", "authorization_code"),
                    ["response_types_supported"] = new JsonArray("code"),
                    ["subject_types_supported"] = new JsonArray("public"),
                    ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
                    ["code_challenge_methods_supported"] = new JsonArray("S256"),
                    ["scopes_supported"] = new JsonArray("openid", "email", "profile"),
                }, CxoneJson.Default.JsonObject);
            })
            .WithName("CxoneOpenIdConfiguration").WithSummary("CXone's OpenID discovery document.");

        app.MapGet("/.well-known/cxone-configuration", (HttpRequest request, string? tenantId, CxoneTenant tenant) =>
            {
                if (tenantId is not null && tenantId != tenant.Options.TenantId)
                {
                    return Results.Json(new OAuthError("invalid_request", "Unknown tenant"), CxoneJson.Default.OAuthError, statusCode: StatusCodes.Status404NotFound);
                }

                return TypedResults.Json(new JsonObject
                {
                    ["tenantId"] = tenant.Options.TenantId,
                    ["area"] = tenant.Options.Area,
                    ["domain"] = tenant.Options.Domain,
                    // A real tenant answers https://api-de-{area}.{domain}; the simulator serves the API itself.
                    ["api_endpoint"] = Issuer(request),
                    ["ui_endpoint"] = Issuer(request),
                    ["auth_endpoint"] = Issuer(request),
                }, CxoneJson.Default.JsonObject);
            })
            .WithName("CxoneConfiguration").WithSummary("Where a tenant's APIs live.");

        app.MapGet("/auth/jwks", (CxoneSignIn signIn) => TypedResults.Json(signIn.Jwks(), CxoneJson.Default.JsonObject))
            .WithName("CxoneJwks").WithSummary("The keys CXone signs ID tokens with.");

        app.MapGet("/auth/authorize", (HttpRequest request) =>
                request.Query["response_type"] != "code" || string.IsNullOrEmpty(request.Query["client_id"]) || !Uri.TryCreate(request.Query["redirect_uri"], UriKind.Absolute, out _)
                    ? Results.BadRequest(new OAuthError("invalid_request", "response_type=code, client_id and an absolute redirect_uri are required."))
                    : Results.Content(CxoneSignIn.SignInPage(request.QueryString.Value?.TrimStart('?') ?? ""), "text/html; charset=utf-8"))
            .WithName("CxoneAuthorize").WithSummary("CXone's sign-in page (authorization-code flow).");

        app.MapPost("/auth/authorize", async (HttpRequest request, CxoneSignIn signIn) =>
            {
                var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
                var query = request.Query;
                if (!int.TryParse(form["userId"], out var userId) || CxoneSignIn.Admins.All(a => a.Id != userId)
                    || !Uri.TryCreate(query["redirect_uri"], UriKind.Absolute, out var redirect))
                {
                    return Results.BadRequest(new OAuthError("invalid_request", "Unknown user or redirect."));
                }

                var code = signIn.IssueCode(userId, query["client_id"]!, redirect.ToString(), query["nonce"], query["code_challenge"]);
                var separator = string.IsNullOrEmpty(redirect.Query) ? "?" : "&";
                return Results.Redirect($"{redirect}{separator}code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(query["state"].ToString())}");
            })
            .WithName("CxoneAuthorizeSubmit").WithSummary("Signs the chosen admin in and returns to the middleware with a code.")
            .DisableAntiforgery();

        app.MapPost("/auth/token", async (HttpRequest request, CxoneTenant tenant, CxoneSignIn signIn) =>
            {
                if (request.HasFormContentType && (await request.ReadFormAsync(request.HttpContext.RequestAborted)) is { } codeForm && codeForm["grant_type"] == "authorization_code")
                {
                    var codeClient = TryReadBasic(request, out var basicId, out _) ? basicId : codeForm["client_id"].ToString();
                    var (tokens, error) = signIn.Redeem(codeForm["code"].ToString(), codeClient, codeForm["redirect_uri"].ToString(), codeForm["code_verifier"], Issuer(request));
                    return tokens is null ? OAuth(StatusCodes.Status400BadRequest, error!, "The code is unknown, used, expired, or for another client.") : TypedResults.Json(tokens, CxoneJson.Default.JsonObject);
                }

                if (!TryReadBasic(request, out var clientId, out var clientSecret)
                    || clientId != tenant.Options.AppClientId || clientSecret != tenant.Options.AppClientSecret)
                {
                    return OAuth(StatusCodes.Status401Unauthorized, "invalid_client", "Unknown application or wrong secret.");
                }

                if (!request.HasFormContentType)
                {
                    return OAuth(StatusCodes.Status400BadRequest, "invalid_request", "The body must be application/x-www-form-urlencoded.");
                }

                var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
                if (form["grant_type"] != "password")
                {
                    return OAuth(StatusCodes.Status400BadRequest, "unsupported_grant_type", "Only the password grant is simulated.");
                }

                var username = form["username"].ToString();
                if (!tenant.Options.AccessKeys.TryGetValue(username, out var secret) || secret != form["password"].ToString())
                {
                    return OAuth(StatusCodes.Status400BadRequest, "invalid_grant", "Wrong access key or secret.");
                }

                var (token, lifetime) = tenant.IssueToken(username);
                return TypedResults.Json(new JsonObject
                {
                    ["access_token"] = token,
                    ["token_type"] = "Bearer",
                    ["expires_in"] = (int)lifetime.TotalSeconds,
                    ["refresh_token"] = Guid.NewGuid().ToString("N"),
                    ["id_token"] = "simulated",
                }, CxoneJson.Default.JsonObject);
            })
            .WithName("CxoneAuthToken").WithSummary("The access-key password grant, with the registered app's Basic credentials.")
            .DisableAntiforgery();

        return app;
    }

    private static string Issuer(HttpRequest request) => $"{request.Scheme}://{request.Host}";

    private static IResult OAuth(int status, string error, string description) =>
        Results.Json(new OAuthError(error, description), CxoneJson.Default.OAuthError, statusCode: status);

    private static bool TryReadBasic(HttpRequest request, out string clientId, out string clientSecret)
    {
        clientId = clientSecret = string.Empty;
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        clientId = Uri.UnescapeDataString(decoded[..colon]);
        clientSecret = Uri.UnescapeDataString(decoded[(colon + 1)..]);
        return true;
    }
}
