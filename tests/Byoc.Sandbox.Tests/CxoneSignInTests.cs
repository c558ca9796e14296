using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Byoc.Sandbox.Tests;

/// <summary>CXone's OpenID Connect sign-in, as a middleware's admin pages would use it.</summary>
public sealed class CxoneSignInTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private const string Redirect = "https://byoc.example/signin-cxone";
    private readonly HttpClient _http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Fact]
    public async Task An_admin_signs_in_with_the_code_flow_and_PKCE_and_the_ID_token_verifies_against_the_JWKS()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var code = await SignInAsync(challenge: Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));

        var tokens = await Exchange(code, verifier);

        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        var idToken = (await tokens.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id_token").GetString()!;
        var parts = idToken.Split('.');
        var jwks = await _http.GetFromJsonAsync<JsonElement>("/auth/jwks");
        var key = jwks.GetProperty("keys")[0];
        using var rsa = RSA.Create(new RSAParameters { Modulus = FromBase64Url(key.GetProperty("n").GetString()!), Exponent = FromBase64Url(key.GetProperty("e").GetString()!) });
        Assert.True(rsa.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        var claims = JsonDocument.Parse(FromBase64Url(parts[1])).RootElement;
        Assert.Equal("byoc-admin", claims.GetProperty("aud").GetString());
        Assert.Equal("n-0S6_WzA2Mj", claims.GetProperty("nonce").GetString());
        Assert.Equal("admin@sandbox.example", claims.GetProperty("email").GetString());
        Assert.Equal("11ee0000-sand-b0x0-0000-000000000001", claims.GetProperty("tenantId").GetString());
        var discovery = await _http.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration");
        Assert.Equal(discovery.GetProperty("issuer").GetString(), claims.GetProperty("iss").GetString());
    }

    [Fact]
    public async Task A_code_works_once_and_only_with_its_verifier()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var code = await SignInAsync(challenge: Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));

        var wrongVerifier = await Exchange(code, "not-the-verifier");
        var secondCode = await SignInAsync(challenge: null);
        var first = await Exchange(secondCode, null);
        var replay = await Exchange(secondCode, null);

        Assert.Equal("invalid_grant", (await wrongVerifier.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
    }

    private async Task<string> SignInAsync(string? challenge)
    {
        var query = $"response_type=code&client_id=byoc-admin&redirect_uri={Uri.EscapeDataString(Redirect)}&state=xyz&nonce=n-0S6_WzA2Mj&scope=openid"
            + (challenge is null ? "" : $"&code_challenge={challenge}&code_challenge_method=S256");
        var page = await _http.GetStringAsync($"/auth/authorize?{query}");
        Assert.Contains("Sign in as", page, StringComparison.Ordinal);

        var answer = await _http.PostAsync($"/auth/authorize?{query}", new FormUrlEncodedContent([new("userId", "1")]));

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var location = answer.Headers.Location!;
        Assert.StartsWith(Redirect + "?code=", location.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("&state=xyz", location.ToString(), StringComparison.Ordinal);
        return Uri.UnescapeDataString(location.Query.Split('&')[0]["?code=".Length..]);
    }

    private Task<HttpResponseMessage> Exchange(string code, string? verifier)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "authorization_code"), new("code", code), new("client_id", "byoc-admin"), new("redirect_uri", Redirect) };
        if (verifier is not null)
        {
            form.Add(new("code_verifier", verifier));
        }

        return _http.PostAsync("/auth/token", new FormUrlEncodedContent(form));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }
}
