using Microsoft.Playwright;

namespace Byoc.EndToEnd.Tests.Admin;

/// <summary>The audit log page: who changed what, how they signed in, and when, newest first.</summary>
[Collection(AdminAppCollection.Name)]
public sealed class AuditLogBrowserTests(AdminApp app, AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    [Fact]
    public async Task A_change_made_with_the_admin_session_appears_in_the_audit_log_with_who_and_how()
    {
        await using var page = await browser.SignedInAsync(app, AdminPage.Admin, AdminApp.SandboxTenantId);
        // A rotation with a day's overlap: CXone's current secret keeps working. The session cookie needs the
        // anti-forgery header, which ApiAsync fetches from /admin/api/antiforgery.
        var rotated = await page.ApiAsync("POST", $"/admin/api/integrations/{ByocApp.IntegrationId}/client-secret", new { previousSecretOverlapMinutes = 1440 });
        Assert.True(rotated.Ok, $"{rotated.Status} {await rotated.TextAsync()}");

        await page.Page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();

        // The data grid's rows, newest first.
        var newest = page.Page.GetByTestId("audit-log").Locator("tr.audit-entry").First;
        await Assertions.Expect(newest).ToContainTextAsync("credentials.rotate");
        await Assertions.Expect(newest).ToContainTextAsync("Developer");
        await Assertions.Expect(newest).ToContainTextAsync("Development sign-in");
        await Assertions.Expect(newest).ToContainTextAsync(AdminApp.SandboxTenantId);
        await page.CheckAccessibilityAsync();
        await page.ScreenshotAsync("audit-log");
    }

    [Fact]
    public async Task A_change_with_the_session_cookie_but_without_the_antiforgery_header_is_refused()
    {
        await using var page = await browser.SignedInAsync(app, AdminPage.Admin, AdminApp.SandboxTenantId);
        page.ExpectFailure("/client-secret");

        var forged = await page.Page.APIRequest.PostAsync($"/admin/api/integrations/{ByocApp.IntegrationId}/client-secret",
            new() { DataObject = new { previousSecretOverlapMinutes = 1440 } });

        Assert.Equal(400, forged.Status);
        Assert.Contains("X-Byoc-Antiforgery", await forged.TextAsync(), StringComparison.Ordinal);
    }
}
