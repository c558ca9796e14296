using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Byoc.Sandbox.Cxone;

/// <summary>
/// CXone's OpenID Connect provider in miniature, for admins who sign in to a middleware with their CXone account:
/// authorization-code flow (with PKCE when asked), ID tokens signed RS256, and the JWKS to check them.
/// The signing key lives as long as the simulator.
/// </summary>
public sealed class CxoneSignIn(CxoneTenant tenant, TimeProvider time) : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);
    private readonly string _keyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
    private readonly ConcurrentDictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);

    public static readonly IReadOnlyList<(int Id, string Email, string Name)> Admins =
        [(1, "admin@sandbox.example", "Sandbox Admin"), (2, "supervisor@sandbox.example", "Sandbox Supervisor")];

    public void Dispose() => _key.Dispose();

    public string IssueCode(int userId, string clientId, string redirectUri, string? nonce, string? codeChallenge)
    {
        var code = Base64Url(RandomNumberGenerator.GetBytes(24));
        _codes[code] = new PendingCode(userId, clientId, redirectUri, nonce, codeChallenge, time.GetUtcNow().AddMinutes(2));
        return code;
    }

    /// <summary>The tokens for a code, or the OAuth error code; a code works once, for its client and redirect.</summary>
    public (JsonObject? Tokens, string? Error) Redeem(string code, string clientId, string redirectUri, string? codeVerifier, string issuer)
    {
        if (!_codes.TryRemove(code, out var pending) || pending.ExpiresAt < time.GetUtcNow() || pending.ClientId != clientId || pending.RedirectUri != redirectUri)
        {
            return (null, "invalid_grant");
        }

        if (pending.CodeChallenge is { } challenge
            && (codeVerifier is null || Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(codeVerifier))) != challenge))
        {
            return (null, "invalid_grant");
        }

        var admin = Admins.First(a => a.Id == pending.UserId);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = issuer,
            ["sub"] = admin.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["aud"] = clientId,
            ["iat"] = now,
            ["exp"] = now + 3600,
            ["email"] = admin.Email,
            ["name"] = admin.Name,
            ["tenantId"] = tenant.Options.TenantId,
            ["brandId"] = tenant.Options.BrandId,
        };
        if (pending.Nonce is not null)
        {
            claims["nonce"] = pending.Nonce;
        }

        var (accessToken, lifetime) = tenant.IssueToken($"user:{admin.Id}");
        return (new JsonObject
        {
            ["access_token"] = accessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)lifetime.TotalSeconds,
            ["id_token"] = Sign(claims),
        }, null);
    }

    public JsonObject Jwks()
    {
        var parameters = _key.ExportParameters(false);
        return new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = "RS256",
                ["kid"] = _keyId,
                ["n"] = Base64Url(parameters.Modulus!),
                ["e"] = Base64Url(parameters.Exponent!),
            }),
        };
    }

    public static string SignInPage(string query) => $"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to CXone (sandbox)</title>
        <link rel="stylesheet" href="/sandbox.css"></head><body>
        <header><h1>CXone sign-in <small>(sandbox)</small></h1></header>
        <form method="post" action="/auth/authorize?{WebUtility.HtmlEncode(query)}" style="flex-direction: column; max-width: 24rem; margin: 2rem auto; border: 1px solid #e0e0e0">
          <label>Sign in as <select name="userId" data-testid="admin">{string.Concat(Admins.Select(a => $"<option value=\"{a.Id}\">{WebUtility.HtmlEncode(a.Name)} ({WebUtility.HtmlEncode(a.Email)})</option>"))}</select></label>
          <button type="submit" data-testid="sign-in">Sign in</button>
        </form></body></html>
        """;

    private string Sign(JsonObject claims)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = _keyId };
        var signed = $"{Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString(JsonSerializerOptions.Default)))}";
        return $"{signed}.{Base64Url(_key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record PendingCode(int UserId, string ClientId, string RedirectUri, string? Nonce, string? CodeChallenge, DateTimeOffset ExpiresAt);
}
