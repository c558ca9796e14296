using Microsoft.Playwright;

namespace Byoc.EndToEnd.Tests.Admin;

/// <summary>Opening the admin UI in Chromium: from CXone's Action URL, with a CXone account, and in Development.</summary>
[Collection(AdminAppCollection.Name)]
public sealed class AdminSignInBrowserTests(AdminApp app, AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    [Fact]
    public async Task Opened_from_cxone_the_admin_is_an_admin_of_the_tenant_and_Done_returns_to_cxone()
    {
        await using var page = await browser.NewPageAsync(app);

        await page.GotoAsync(await app.ActionUrlLinkAsync());
        await page.WaitForAdminAsync();

        Assert.Equal(new Uri(app.EdgeUrl, "/admin"), new Uri(page.Page.Url));
        await Assertions.Expect(page.Page.GetByTestId("signed-in-user")).ToHaveTextAsync($"Sandbox Admin · Admin · {AdminApp.SandboxTenantId}");
        await Assertions.Expect(page.Page.GetByTestId("development-mark")).ToHaveCountAsync(0);
        await page.CheckAccessibilityAsync();
        await page.ScreenshotAsync("opened-from-cxone");

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await page.Page.WaitForURLAsync(new Uri(app.SandboxUrl, "/agent.html").ToString());

        // The session ended with it: the admin UI asks to sign in again.
        await page.GotoAsync("/admin");
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to the Byoc admin" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_used_link_shows_a_clear_page_with_the_way_back_to_cxone()
    {
        var link = await app.ActionUrlLinkAsync();
        using (var first = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }))
        {
            await first.GetAsync(link);
        }

        await using var page = await browser.NewPageAsync(app);
        page.ExpectFailure("/settings?").ExpectFailure("the server responded with a status of 401");

        await page.GotoAsync(link);

        await Assertions.Expect(page.Page.GetByRole(AriaRole.Heading, new() { Name = "This link has expired" })).ToBeVisibleAsync();
        await page.CheckAccessibilityAsync();
        await page.ScreenshotAsync("link-expired");
        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Back to CXone" }).ClickAsync();
        await page.Page.WaitForURLAsync(new Uri(app.SandboxUrl, "/agent.html").ToString());
    }

    [Fact]
    public async Task Signing_in_with_a_cxone_account_makes_the_tenants_admin_an_admin_of_that_tenant_only()
    {
        await using var page = await browser.NewPageAsync(app);

        await page.GotoAsync("/admin/sign-in");
        await page.CheckAccessibilityAsync();
        await page.ScreenshotAsync("sign-in");
        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Sign in with your CXone account" }).ClickAsync();
        await page.Page.GetByTestId("admin").SelectOptionAsync("1");
        await page.Page.GetByTestId("sign-in").ClickAsync();
        await page.WaitForAdminAsync();

        await Assertions.Expect(page.Page.GetByTestId("signed-in-user")).ToHaveTextAsync($"Sandbox Admin · Admin · {AdminApp.SandboxTenantId}");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.Page.GetByTestId("signed-out")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_cxone_user_listed_as_viewer_signs_in_as_a_viewer()
    {
        await using var page = await browser.NewPageAsync(app);

        await page.GotoAsync("/admin/sign-in/cxone");
        await page.Page.GetByTestId("admin").SelectOptionAsync("2");
        await page.Page.GetByTestId("sign-in").ClickAsync();
        await page.WaitForAdminAsync();

        await Assertions.Expect(page.Page.GetByTestId("signed-in-user")).ToHaveTextAsync($"Sandbox Supervisor · Viewer · {AdminApp.SandboxTenantId}");
    }

    [Fact]
    public async Task The_development_sign_in_is_marked_on_every_page()
    {
        await using var page = await browser.SignedInAsync(app, AdminPage.Viewer, AdminApp.SandboxTenantId);

        await Assertions.Expect(page.Page.GetByTestId("development-mark")).ToHaveTextAsync("Development sign-in");
        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Heading, new() { Name = "Audit log" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Page.GetByTestId("development-mark")).ToHaveTextAsync("Development sign-in");
        await page.CheckAccessibilityAsync();
    }
}
