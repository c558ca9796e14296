extern alias edge;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Web;
using Byoc.Edge.Tests.Infrastructure;
using edge::Byoc.Edge.Admin.SignIn;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Byoc.Edge.Tests.Admin;

/// <summary>
/// Signing in with a CXone account end to end against a CXone stand-in (its token endpoint behind the OpenID Connect
/// handler's backchannel): the tenant's users get the role configuration gives them, others are refused.
/// </summary>
public sealed class CxoneSignInTests(EdgeHost host) : EdgeTest(host)
{
    private const string Authority = "https://cxone.example.test";
    private const string ClientId = "byoc-admin";

    private static readonly RsaSecurityKey Key = new(RSA.Create(2048)) { KeyId = "cxone-test" };

    [Theory]
    [InlineData("ada@a.example", "Ada · Admin · tenant-a")]
    [InlineData("vic@a.example", "Vic · Viewer · tenant-a")]
    public async Task A_configured_cxone_user_signs_in_with_their_role_for_their_tenant_only(string email, string shown)
    {
        var name = email.Split('@')[0];
        await using var edge = CreateEdge(char.ToUpperInvariant(name[0]) + name[1..], email, TestData.TenantA);
        using var browser = AdminSessions.Browser(edge);

        using var callback = await SignInAsync(browser);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/admin/audit", callback.Headers.Location?.ToString());
        using var page = await AdminSessions.PageAsync(browser, "/admin/audit");
        Assert.Contains(shown, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("someone@a.example", "tenant-a")]
    [InlineData("ada@a.example", "tenant-c")]
    public async Task A_cxone_user_configuration_does_not_name_is_refused_on_the_sign_in_page(string email, string tenant)
    {
        await using var edge = CreateEdge("Someone", email, tenant);
        using var browser = AdminSessions.Browser(edge);

        using var callback = await SignInAsync(browser);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/admin/sign-in?error=cxone-not-allowed", callback.Headers.Location?.ToString());
        Assert.False(callback.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("__Host-byoc-admin=", StringComparison.Ordinal) && !c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)));
        using var api = await browser.GetAsync("/admin/api/audit");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task A_forged_callback_lands_on_the_sign_in_page_not_an_error()
    {
        await using var edge = CreateEdge("Ada", "ada@a.example", TestData.TenantA);
        using var browser = AdminSessions.Browser(edge);

        using var callback = await browser.GetAsync("/admin/sign-in/cxone/callback?code=stolen&state=forged");

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/admin/sign-in?error=failed", callback.Headers.Location?.ToString());
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser)
    {
        using var challenge = await browser.GetAsync("/admin/sign-in/cxone?returnUrl=/admin/audit");
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var query = HttpUtility.ParseQueryString(challenge.Headers.Location!.Query);
        // CXone's sign-in page would now redirect back with a code; the stand-in's token endpoint accepts any code.
        TokenEndpoint.Nonce.Value = query["nonce"];
        return await browser.GetAsync($"/admin/sign-in/cxone/callback?code=code-1&state={Uri.EscapeDataString(query["state"]!)}");
    }

    private EdgeFactory CreateEdge(string name, string email, string tenant) => Host.Create(new Dictionary<string, string?>
    {
        ["Edge:Admin:Cxone:Authority"] = Authority,
        ["Edge:Admin:Cxone:ClientId"] = ClientId,
        ["Edge:Admin:Cxone:ClientSecret"] = "secret",
        [$"Edge:Admin:Cxone:Tenants:{TestData.TenantA}:Admins:0"] = "ada@a.example",
        [$"Edge:Admin:Cxone:Tenants:{TestData.TenantA}:Viewers:0"] = "vic@a.example",
    }, s => s.PostConfigure<OpenIdConnectOptions>(AdminSignIn.CxoneScheme, o =>
    {
        var configuration = new OpenIdConnectConfiguration
        {
            Issuer = Authority,
            AuthorizationEndpoint = $"{Authority}/auth/authorize",
            TokenEndpoint = $"{Authority}/auth/token",
        };
        configuration.SigningKeys.Add(Key);
        o.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
        o.Backchannel = new HttpClient(new TokenEndpoint(name, email, tenant));
    }));

    /// <summary>CXone's token endpoint: an RS256 ID token for the user, with the nonce the challenge sent.</summary>
    private sealed class TokenEndpoint(string name, string email, string tenant) : HttpMessageHandler
    {
        // The tests of this class run one after another; the handler runs on the server's side of TestServer.
        public static StrongBox<string?> Nonce { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var now = DateTime.UtcNow;
            var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = Authority,
                Audience = ClientId,
                IssuedAt = now,
                NotBefore = now.AddMinutes(-1),
                Expires = now.AddMinutes(10),
                Claims = new Dictionary<string, object> { ["sub"] = "42", ["email"] = email, ["name"] = name, ["tenantId"] = tenant, ["nonce"] = Nonce.Value! },
                SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.RsaSha256),
            });
            var body = $$"""{"access_token":"cxone-access","token_type":"Bearer","expires_in":3600,"id_token":"{{idToken}}"}""";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
