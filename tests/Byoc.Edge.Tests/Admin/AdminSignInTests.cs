extern alias edge;
using System.Net;
using Byoc.Edge.Tests.Infrastructure;
using edge::Byoc.Edge.Admin.SignIn;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Byoc.Edge.Tests.Admin;

/// <summary>The ways into the admin UI when it is opened directly: Entra ID, a CXone account, and Development only a local sign-in.</summary>
public sealed class AdminSignInTests(EdgeHost host) : EdgeTest(host)
{
    private static readonly Dictionary<string, string?> Development = new() { ["environment"] = "Development" };

    [Fact]
    public async Task The_sign_in_page_offers_only_the_configured_ways()
    {
        using var browser = AdminSessions.Browser(Host.Edge);

        using var response = await AdminSessions.PageAsync(browser, "/admin/sign-in");

        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Sign in with Entra ID", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Sign in with your CXone account", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Development sign-in", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_the_local_sign_in_signs_in_with_the_chosen_role_and_tenants_and_every_page_says_so()
    {
        await using var edge = Host.Create(Development, s => s.AddSingleton<IStartupFilter, TestChangeEndpoint>());
        using var browser = AdminSessions.Browser(edge);

        using var signIn = await AdminSessions.SubmitAsync(browser, "/admin/sign-in", "/admin/sign-in/development",
            new() { ["Role"] = AdminTokens.Viewer, ["Tenants"] = $"{TestData.TenantA}, {TestData.TenantB}", ["Name"] = "Dev Viewer", ["ReturnUrl"] = "/admin/audit" });

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/admin/audit", signIn.Headers.Location?.ToString());
        using var audit = await AdminSessions.PageAsync(browser, "/admin/audit");
        var page = await audit.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        Assert.Contains("data-testid=\"development-mark\" role=\"note\"><span>Development sign-in</span></fluent-badge>", page, StringComparison.Ordinal);
        Assert.Contains($"Dev Viewer · Viewer · {TestData.TenantA}, {TestData.TenantB}", page, StringComparison.Ordinal);
        // A Viewer reads, and may not change.
        using var change = await browser.PostAsync(TestChangeEndpoint.Path, null);
        Assert.Equal(HttpStatusCode.Forbidden, change.StatusCode);
    }

    [Fact]
    public async Task A_development_sign_in_is_not_taken_without_its_antiforgery_token()
    {
        await using var edge = Host.Create(Development);
        using var browser = AdminSessions.Browser(edge);

        using var forged = await browser.PostAsync("/admin/sign-in/development", new FormUrlEncodedContent(new Dictionary<string, string> { ["Role"] = AdminTokens.Admin }));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.False(forged.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("__Host-byoc-admin=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_development_sign_in_cannot_be_switched_on_in_production()
    {
        await using var edge = Host.Create(new Dictionary<string, string?> { ["environment"] = "Production", ["Edge:Admin:DevelopmentSignIn"] = "true" });

        var failure = Assert.ThrowsAny<Exception>(() => edge.CreateClient());

        Assert.Contains("DevelopmentSignIn can be switched on only in Development", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_development_there_is_no_local_sign_in()
    {
        await using var edge = Host.Create(new Dictionary<string, string?> { ["environment"] = "Production" });
        using var browser = AdminSessions.Browser(edge);

        using var page = await AdminSessions.PageAsync(browser, "/admin/sign-in");
        using var post = await browser.PostAsync("/admin/sign-in/development", new FormUrlEncodedContent(new Dictionary<string, string> { ["Role"] = AdminTokens.Admin }));

        Assert.DoesNotContain("Development sign-in", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(post.IsSuccessStatusCode || post.StatusCode == HttpStatusCode.Redirect, $"{post.StatusCode}");
        Assert.False(post.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("__Host-byoc-admin=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Entra_sign_in_goes_to_entras_authorize_endpoint_and_comes_back_to_the_admin_callback()
    {
        await using var edge = Host.Create(services: s => s.PostConfigure<OpenIdConnectOptions>(AdminSignIn.EntraScheme, o => o.ConfigurationManager =
            new StaticConfigurationManager<OpenIdConnectConfiguration>(new OpenIdConnectConfiguration { AuthorizationEndpoint = "https://login.microsoftonline.com/common/oauth2/v2.0/authorize", Issuer = AdminTokens.Issuer })));
        using var browser = AdminSessions.Browser(edge);

        using var response = await browser.GetAsync("/admin/sign-in/entra?returnUrl=/admin/audit");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith("https://login.microsoftonline.com/common/oauth2/v2.0/authorize?", location.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains($"client_id={AdminTokens.ClientId}", location.Query, StringComparison.Ordinal);
        Assert.Contains($"redirect_uri={Uri.EscapeDataString("https://localhost/admin/sign-in/entra/callback")}", location.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cxone_sign_in_goes_to_cxones_authorize_endpoint_with_pkce()
    {
        await using var edge = Host.Create(new Dictionary<string, string?>
        {
            ["Edge:Admin:Cxone:Authority"] = "https://cxone.example.test",
            ["Edge:Admin:Cxone:ClientId"] = "byoc-admin",
            ["Edge:Admin:Cxone:ClientSecret"] = "secret",
        }, s => s.PostConfigure<OpenIdConnectOptions>(AdminSignIn.CxoneScheme, o => o.ConfigurationManager =
            new StaticConfigurationManager<OpenIdConnectConfiguration>(new OpenIdConnectConfiguration { AuthorizationEndpoint = "https://cxone.example.test/auth/authorize", Issuer = "https://cxone.example.test" })));
        using var browser = AdminSessions.Browser(edge);

        using var signInPage = await AdminSessions.PageAsync(browser, "/admin/sign-in");
        using var response = await browser.GetAsync("/admin/sign-in/cxone");

        Assert.Contains("Sign in with your CXone account", await signInPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith("https://cxone.example.test/auth/authorize?", location.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains("client_id=byoc-admin", location.Query, StringComparison.Ordinal);
        Assert.Contains("response_type=code", location.Query, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", location.Query, StringComparison.Ordinal);
        Assert.Contains($"redirect_uri={Uri.EscapeDataString("https://localhost/admin/sign-in/cxone/callback")}", location.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cxone_authority_on_plain_http_is_refused_outside_development()
    {
        await using var edge = Host.Create(new Dictionary<string, string?> { ["Edge:Admin:Cxone:Authority"] = "http://cxone.example.test", ["Edge:Admin:Cxone:ClientId"] = "byoc-admin" });

        var failure = Assert.ThrowsAny<Exception>(() => edge.CreateClient());

        Assert.Contains("Cxone:Authority must be https", failure.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("admin@a.example", "Byoc.Admin")]
    [InlineData("ADMIN@a.example", "Byoc.Admin")]
    [InlineData("viewer@a.example", "Byoc.Viewer")]
    [InlineData("someone@a.example", null)]
    public void Cxone_users_of_a_tenant_have_the_role_configuration_gives_them(string email, string? role)
    {
        var options = new AdminCxoneSignInOptions
        {
            Tenants = { [TestData.TenantA] = new AdminCxoneTenantRoles { Admins = ["admin@a.example"], Viewers = ["viewer@a.example"] }, [TestData.TenantB] = new AdminCxoneTenantRoles { Viewers = ["*"] } },
        };

        Assert.Equal(role, options.RoleOf(TestData.TenantA, email));
        Assert.Equal("Byoc.Viewer", options.RoleOf(TestData.TenantB, email));
        Assert.Null(options.RoleOf("tenant-c", email));
    }

    [Theory]
    [InlineData("/admin/audit", "/admin/audit")]
    [InlineData("https://evil.example/admin", "/admin")]
    [InlineData("//evil.example/admin", "/admin")]
    [InlineData("/\\evil.example", "/admin")]
    [InlineData(null, "/admin")]
    // A control character would make the Location header invalid (a 500 before, found by the hostile-input suite),
    // and browsers drop tabs and line breaks from URLs, which can turn a local path into another site.
    [InlineData("/admin\r\nLocation: https://evil.example", "/admin")]
    [InlineData("/admin/\t/evil.example", "/admin")]
    [InlineData("/admin\u0000", "/admin")]
    public void A_sign_in_returns_only_to_a_page_of_the_admin_ui(string? returnUrl, string expected) =>
        Assert.Equal(expected, AdminSession.LocalAdminPath(returnUrl));
}
