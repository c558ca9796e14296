using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Testing;
using Microsoft.Playwright;

namespace Byoc.EndToEnd.Tests.Admin;

/// <summary>
/// The points-of-contact and credentials pages in Chromium over the running app: a point of contact created in the UI
/// exists in the CXone simulator; credentials generated and rotated in the UI get tokens at the Edge.
/// </summary>
[Collection(ByocAppCollection.Name)]
public sealed class PointsOfContactBrowserTests(ByocApp app, Browser browser) : IClassFixture<Browser>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 60_000 };
    private readonly AdminPages _admin = new(app, browser);

    [Fact]
    public async Task A_point_of_contact_created_in_the_ui_exists_in_the_cxone_simulator_and_is_deleted_there_too()
    {
        var account = $"bagheera-{Guid.NewGuid():N}"[..20];
        var page = await _admin.SignedInAsync("/admin/points-of-contact/new");

        await page.GetByLabel("Integration", new() { Exact = true }).SelectOptionAsync(ByocApp.IntegrationId);
        await page.GetByLabel("Connector", new() { Exact = true }).FillAsync("junglebook");
        await page.GetByLabel("Platform account", new() { Exact = true }).FillAsync(account);
        await page.GetByLabel("Name (shown to agents)", new() { Exact = true }).FillAsync("Junglebook: Bagheera's desk");
        await page.GetByLabel("Icon (CXone's externalPlatformIcon; replies can fail without one)", new() { Exact = true }).SelectOptionAsync("livechat");
        await page.Locator("#setting-value-0").FillAsync("jb-token-bagheera");
        await page.Locator("#setting-value-1").FillAsync("jb-webhook-secret-bagheera");
        await AdminPages.ScreenshotAsync(page, "point-of-contact-new");
        await page.GetByTestId("poc-create").ClickAsync();

        var channelId = $"junglebook-{account}";
        await Assertions.Expect(page.GetByTestId("poc-status")).ToHaveTextAsync("Created at CXone and read back.", new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByTestId("poc-webhook-url")).ToHaveTextAsync($"{app.EdgeUrl.ToString().TrimEnd('/')}/hooks/junglebook/{account}");
        await Assertions.Expect(page.GetByTestId("poc-settings-set")).ToHaveTextAsync("token, webhookSecret");
        Assert.Contains(channelId, await app.Sandbox.ChannelIdsAsync());
        var atCxone = (await app.Sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/channels")).EnumerateArray().Single(c => c.GetProperty("id").GetString() == channelId);
        Assert.Equal("livechat", atCxone.GetProperty("externalPlatformIcon").GetString());
        Assert.Equal("Junglebook: Bagheera's desk", atCxone.GetProperty("name").GetString());
        Assert.DoesNotContain("jb-token-bagheera", await page.ContentAsync(), StringComparison.Ordinal);
        await AdminPages.ScreenshotAsync(page, "point-of-contact");

        await page.GotoAsync(new Uri(app.EdgeUrl, "/admin/points-of-contact").ToString());
        await AdminPages.LiveAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Junglebook: Bagheera's desk" })).ToBeVisibleAsync(Visible);
        await AdminPages.ScreenshotAsync(page, "points-of-contact");

        await page.GetByRole(AriaRole.Link, new() { Name = "Junglebook: Bagheera's desk" }).ClickAsync();
        await AdminPages.LiveAsync(page);
        await page.GetByTestId("poc-delete").ClickAsync();
        await page.GetByTestId("poc-delete-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("poc-deleted")).ToBeVisibleAsync(Visible);
        await Poll.UntilAsync(async () => !(await app.Sandbox.ChannelIdsAsync()).Contains(channelId), TimeSpan.FromSeconds(30), "CXone no longer has the point of contact");
        Assert.True(_admin.ConsoleErrors.Count == 0, string.Join("\n", _admin.ConsoleErrors));
    }

    [Fact]
    public async Task A_bad_field_is_shown_next_to_it()
    {
        var page = await _admin.SignedInAsync("/admin/points-of-contact/new");

        await page.GetByLabel("Integration", new() { Exact = true }).SelectOptionAsync(ByocApp.IntegrationId);
        await page.GetByLabel("Connector", new() { Exact = true }).FillAsync("junglebook");
        await page.GetByLabel("Platform account", new() { Exact = true }).FillAsync("kaa");
        await page.GetByLabel("Name (shown to agents)", new() { Exact = true }).FillAsync("Kaa");
        await page.GetByTestId("poc-create").ClickAsync();

        await Assertions.Expect(page.Locator("#poc-icon-error")).ToContainTextAsync("externalPlatformIcon", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#poc-icon")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.DoesNotContain("junglebook-kaa", await app.Sandbox.ChannelIdsAsync());
        Assert.True(_admin.ConsoleErrors.Count == 0, string.Join("\n", _admin.ConsoleErrors));
    }

    [Fact]
    public async Task Credentials_generated_and_rotated_in_the_ui_get_a_token_at_the_edge()
    {
        var id = ByocApp.AdminIntegrationId;
        var page = await _admin.SignedInAsync("/admin/credentials");
        using var http = new HttpClient { BaseAddress = app.EdgeUrl };

        await page.GetByTestId($"generate-{id}").ClickAsync();
        var issued = page.GetByTestId($"issued-{id}");
        await Assertions.Expect(issued).ToBeVisibleAsync(Visible);
        var clientId = await page.GetByTestId($"issued-client-id-{id}").InnerTextAsync();
        var generated = await page.GetByTestId($"issued-secret-{id}").InnerTextAsync();
        Assert.NotEqual(ByocApp.AdminIntegrationClientId, clientId);
        Assert.Equal(HttpStatusCode.OK, await TokenStatusAsync(http, clientId, generated));
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenStatusAsync(http, ByocApp.AdminIntegrationClientId, "admin-browser-tests-secret-0123456789"));

        await page.GetByTestId($"overlap-{id}").FillAsync("30");
        await page.GetByTestId($"rotate-{id}").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"issued-secret-{id}")).Not.ToHaveTextAsync(generated, new() { Timeout = 30_000 });
        var rotated = await page.GetByTestId($"issued-secret-{id}").InnerTextAsync();
        Assert.Equal(HttpStatusCode.OK, await TokenStatusAsync(http, clientId, rotated));
        // The overlap: the secret CXone still has keeps working until CXone is given the new one.
        Assert.Equal(HttpStatusCode.OK, await TokenStatusAsync(http, clientId, generated));
        await Assertions.Expect(page.GetByTestId($"token-url-{id}")).ToHaveTextAsync($"{app.EdgeUrl.ToString().TrimEnd('/')}/1.0/token");
        await AdminPages.ScreenshotAsync(page, "credentials");
        Assert.True(_admin.ConsoleErrors.Count == 0, string.Join("\n", _admin.ConsoleErrors));
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
