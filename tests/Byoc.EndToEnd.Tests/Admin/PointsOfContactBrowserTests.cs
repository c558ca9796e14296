using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Testing;
using Microsoft.Playwright;

namespace Byoc.EndToEnd.Tests.Admin;

/// <summary>
/// The points-of-contact and credentials pages in Chromium over the running app: a point of contact created in the UI
/// exists in the CXone simulator; credentials generated and rotated in the UI get tokens at the Edge. Signed in with
/// the Development sign-in (an Admin of every tenant).
/// </summary>
[Collection(AdminAppCollection.Name)]
public sealed class PointsOfContactBrowserTests(AdminApp app, AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 60_000 };

    [Fact]
    public async Task A_point_of_contact_created_in_the_ui_exists_in_the_cxone_simulator_and_is_deleted_there_too()
    {
        var account = $"bagheera-{Guid.NewGuid():N}"[..20];
        await using var admin = await browser.SignedInAsync(app);
        var page = admin.Page;
        await admin.OpenAsync("/admin/points-of-contact/new");

        await admin.ChooseAsync("Integration", ByocApp.IntegrationId);
        await admin.FillAsync("Connector", "junglebook");
        await admin.FillAsync("Platform account", account);
        await admin.FillAsync("Name (shown to agents)", "Junglebook: Bagheera's desk");
        await admin.ChooseAsync("Icon (CXone's externalPlatformIcon; replies can fail without one)", "livechat");
        // Two setting rows (token, webhookSecret), each with a field labelled Value.
        await page.Locator("#setting-value-0 input").FillAsync("jb-token-bagheera");
        await page.Locator("#setting-value-1 input").FillAsync("jb-webhook-secret-bagheera");
        await admin.CheckAccessibilityAsync();
        await admin.ScreenshotAsync("point-of-contact-new");
        await page.GetByTestId("poc-create").ClickAsync();

        var channelId = $"junglebook-{account}";
        await Assertions.Expect(page.GetByTestId("poc-status")).ToHaveTextAsync("Created at CXone and read back.", new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByTestId("poc-webhook-url")).ToHaveTextAsync($"{app.EdgeUrl.ToString().TrimEnd('/')}/hooks/junglebook/{account}");
        await Assertions.Expect(page.GetByTestId("poc-settings-set")).ToHaveTextAsync("token, webhookSecret");
        Assert.Contains(channelId, await app.Sandbox.ChannelIdsAsync());
        var atCxone = (await app.Sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/channels")).EnumerateArray().Single(c => c.GetProperty("id").GetString() == channelId);
        Assert.Equal("livechat", atCxone.GetProperty("externalPlatformIcon").GetString());
        Assert.Equal("Junglebook: Bagheera's desk", atCxone.GetProperty("name").GetString());
        // Write-only: the settings' values are not in the page, not even in the FluentUI fields' shadow roots.
        Assert.DoesNotContain("jb-token-bagheera", await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.EvaluateAsync<int>("() => [...document.querySelectorAll('fluent-text-input')].filter(e => (e.value || '').includes('jb-')).length"));
        await admin.CheckAccessibilityAsync();
        await admin.ScreenshotAsync("point-of-contact");

        await admin.OpenAsync("/admin/points-of-contact");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Junglebook: Bagheera's desk" })).ToBeVisibleAsync(Visible);
        await admin.CheckAccessibilityAsync();
        await admin.ScreenshotAsync("points-of-contact");

        await page.GetByRole(AriaRole.Link, new() { Name = "Junglebook: Bagheera's desk" }).ClickAsync();
        await admin.LiveAsync();
        await page.GetByTestId("poc-delete").ClickAsync();
        await page.GetByTestId("poc-delete-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("poc-deleted")).ToBeVisibleAsync(Visible);
        await Poll.UntilAsync(async () => !(await app.Sandbox.ChannelIdsAsync()).Contains(channelId), TimeSpan.FromSeconds(30), "CXone no longer has the point of contact");
    }

    [Fact]
    public async Task A_bad_field_is_shown_next_to_it()
    {
        await using var admin = await browser.SignedInAsync(app);
        var page = admin.Page;
        await admin.OpenAsync("/admin/points-of-contact/new");

        await admin.ChooseAsync("Integration", ByocApp.IntegrationId);
        await admin.FillAsync("Connector", "junglebook");
        await admin.FillAsync("Platform account", "kaa");
        await admin.FillAsync("Name (shown to agents)", "Kaa");
        await page.GetByTestId("poc-create").ClickAsync();

        // In the icon's own FluentUI field (its message slot), and the dropdown says it is invalid and where the error is.
        await Assertions.Expect(page.Locator("#poc-icon-field #poc-icon-error")).ToContainTextAsync("externalPlatformIcon", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#poc-icon")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#poc-icon")).ToHaveAttributeAsync("aria-describedby", "poc-icon-error");
        Assert.DoesNotContain("junglebook-kaa", await app.Sandbox.ChannelIdsAsync());
    }

    [Fact]
    public async Task Credentials_generated_and_rotated_in_the_ui_get_a_token_at_the_edge()
    {
        var id = ByocApp.AdminIntegrationId;
        await using var admin = await browser.SignedInAsync(app);
        var page = admin.Page;
        await admin.OpenAsync("/admin/credentials");
        using var http = new HttpClient { BaseAddress = app.EdgeUrl };

        await page.GetByTestId($"generate-{id}").ClickAsync();
        var issued = page.GetByTestId($"issued-{id}");
        await Assertions.Expect(issued).ToBeVisibleAsync(Visible);
        var clientId = await page.GetByTestId($"issued-client-id-{id}").InnerTextAsync();
        var generated = await page.GetByTestId($"issued-secret-{id}").InnerTextAsync();
        Assert.NotEqual(ByocApp.AdminIntegrationClientId, clientId);
        Assert.Equal(HttpStatusCode.OK, await TokenStatusAsync(http, clientId, generated));
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenStatusAsync(http, ByocApp.AdminIntegrationClientId, "admin-browser-tests-secret-0123456789"));

        await page.GetByTestId($"overlap-{id}").Locator("input").FillAsync("30");
        await page.GetByTestId($"rotate-{id}").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"issued-secret-{id}")).Not.ToHaveTextAsync(generated, new() { Timeout = 30_000 });
        var rotated = await page.GetByTestId($"issued-secret-{id}").InnerTextAsync();
        Assert.Equal(HttpStatusCode.OK, await TokenStatusAsync(http, clientId, rotated));
        // The overlap: the secret CXone still has keeps working until CXone is given the new one.
        Assert.Equal(HttpStatusCode.OK, await TokenStatusAsync(http, clientId, generated));
        await Assertions.Expect(page.GetByTestId($"token-url-{id}")).ToHaveTextAsync($"{app.EdgeUrl.ToString().TrimEnd('/')}/1.0/token");
        await admin.CheckAccessibilityAsync();
        await admin.ScreenshotAsync("credentials");
    }

    private static async Task<HttpStatusCode> TokenStatusAsync(HttpClient http, string clientId, string secret)
    {
        using var response = await http.PostAsJsonAsync("/1.0/token", new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret,
        });
        return response.StatusCode;
    }
}
