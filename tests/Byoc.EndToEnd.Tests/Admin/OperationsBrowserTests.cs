using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Conversations.V1;
using Byoc.Testing;
using Microsoft.Playwright;

namespace Byoc.EndToEnd.Tests.Admin;

/// <summary>
/// The operations pages in the running app, in Chromium, signed in with the Development sign-in: the readiness checklist,
/// a message CXone refused shown as a dead letter with CXone's error, replayed from the page and delivered, its
/// timeline on the messages page, and the connectors' health. Screenshots go to .artifacts/screenshots/admin/ and
/// docs/images/admin/.
/// </summary>
[Collection(AdminAppCollection.Name)]
public sealed class OperationsBrowserTests(AdminApp app, AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 30_000 };

    [Fact]
    public async Task A_message_CXone_refused_is_replayed_from_the_dead_letters_page_and_reaches_the_agent_and_its_timeline_shows_it()
    {
        await using var admin = await browser.SignedInAsync(app);
        var page = admin.Page;
        var operations = new Operations.OperationsClient(app.Byoc.Conversations);
        var all = new TenantScope { AllTenants = true };
        var before = (await operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = all, ChannelId = ByocApp.ManVillage, PageSize = 500 })).DeadLetters.Select(d => d.Id).ToHashSet();
        var text = $"Refused once, then replayed {Guid.NewGuid():N}"[..40];
        // CXone refuses the next message stored on Man Village: a 400 is never retried, so it is a dead letter at once.
        await app.Sandbox.AddFaultAsync("status", count: 1, pathContains: $"/channels/{ByocApp.ManVillage}/messages", statusCode: 400);
        await app.Byoc.CustomerWritesAsync("man-village", $"mowgli{Guid.NewGuid():N}"[..16], text);
        DeadLetter? dead = null;
        await Poll.UntilAsync(async () =>
        {
            dead = (await operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = all, ChannelId = ByocApp.ManVillage, PageSize = 50 }))
                .DeadLetters.FirstOrDefault(d => !before.Contains(d.Id));
            return dead is not null;
        }, TimeSpan.FromSeconds(60), "the refused message is a dead letter");

        await admin.OpenAsync("/admin/dead-letters");
        await admin.FillAsync("Point of contact (channel id)", ByocApp.ManVillage);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        // The data grid's row of the dead letter (its first cell carries the id).
        var row = page.Locator($"tr:has([data-dead-letter='{dead!.Id}'])");
        await Assertions.Expect(row).ToBeVisibleAsync(Visible);
        await Assertions.Expect(row).ToContainTextAsync("CXone refused it with 400");
        await Assertions.Expect(row).ToContainTextAsync("CXone");
        await row.Locator("summary").ClickAsync();
        await Assertions.Expect(row.Locator("pre.response")).ToContainTextAsync("SimulatedFault");
        await admin.CheckAccessibilityAsync();
        await admin.ScreenshotAsync("dead-letters");

        // The click must come back: the page's replay runs with a deadline and shows what happened.
        await row.GetByRole(AriaRole.Button, new() { Name = $"Replay dead letter {dead.Id}" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("replay-status")).ToHaveTextAsync("Replayed 1 dead letter.", new() { Timeout = 15_000 });
        await Assertions.Expect(row).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await app.Byoc.AgentThreadWithAsync(ByocApp.ManVillage, text);

        await admin.OpenAsync($"/admin/messages?id={Uri.EscapeDataString(dead.MessageId)}");
        var timeline = page.GetByTestId("message-result");
        await Assertions.Expect(timeline.Locator("tr.hop-dead_lettered")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(timeline.Locator("tr.hop-replayed")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(timeline.Locator("tr.hop-accepted")).ToBeVisibleAsync(Visible);
        await AdminPage.ExpectEnabledAsync(page.GetByRole(AriaRole.Button, new() { Name = "Find" }));
        var hops = (await timeline.Locator("tr.hop td:nth-child(2)").AllInnerTextsAsync()).ToList();
        // Refused, then replayed, then accepted (queued and the first send may swap: two replicas record them).
        Assert.True(hops.IndexOf("dead_lettered") < hops.IndexOf("replayed") && hops.IndexOf("replayed") < hops.LastIndexOf("accepted"), string.Join(", ", hops));
        await admin.CheckAccessibilityAsync();
        await admin.ScreenshotAsync("messages");

        using var api = ApiClient();
        var audit = await api.GetFromJsonAsync<JsonElement[]>("/admin/api/audit");
        Assert.Contains(audit!, e => e.GetProperty("action").GetString() == "dead-letter.replay" && e.GetProperty("target").GetString()!.Contains(dead.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_readiness_checklist_gives_the_reason_for_each_rule_a_local_url_breaks()
    {
        await using var admin = await browser.SignedInAsync(app);
        var page = admin.Page;
        await admin.OpenAsync("/admin/readiness");

        // Only the loopback Edge itself is checked: nothing leaves this machine.
        await admin.FillAsync("Public base URL", app.EdgeUrl.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();

        var result = page.GetByTestId("readiness-result");
        await Assertions.Expect(result.GetByRole(AriaRole.Heading)).ToContainTextAsync("Not ready for CXone", new() { Timeout = 15_000 });
        await Assertions.Expect(result.Locator("li[data-check='https']")).ToContainTextAsync("CXone calls only https:// URLs");
        await Assertions.Expect(result.Locator("li[data-check='public-address']")).ToContainTextAsync("127.0.0.1");
        await Assertions.Expect(result.Locator("li[data-check='not-aws-gateway']")).ToContainTextAsync("passed");
        await Assertions.Expect(result.Locator("li[data-check='token-endpoint']")).ToContainTextAsync("skipped");
        await AdminPage.ExpectEnabledAsync(page.GetByRole(AriaRole.Button, new() { Name = "Check" }));
        await admin.CheckAccessibilityAsync();
        await admin.ScreenshotAsync("readiness");

        await admin.FillAsync("Public base URL", "not a url");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        // Next to the field: in the FluentUI field's message slot, and the input points to it.
        await Assertions.Expect(page.Locator("#base-url-field #base-url-error")).ToContainTextAsync("absolute URL", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#base-url")).ToHaveAttributeAsync("aria-invalid", "true");
    }

    [Fact]
    public async Task The_connectors_page_shows_the_junglebook_connector_answering_and_its_accounts()
    {
        await using var admin = await browser.SignedInAsync(app);
        var page = admin.Page;

        await admin.OpenAsync("/admin/connectors");

        await Assertions.Expect(page.Locator("tr:has([data-connector='junglebook'])")).ToContainTextAsync("answers", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator($"tr:has([data-channel='{ByocApp.MonkeyKingdom}'])")).ToBeVisibleAsync(Visible);
        await AdminPage.ExpectEnabledAsync(page.GetByRole(AriaRole.Button, new() { Name = "Check again" }));
        await admin.CheckAccessibilityAsync();
        await admin.ScreenshotAsync("connectors");
    }

    private HttpClient ApiClient()
    {
        var client = new HttpClient { BaseAddress = app.EdgeUrl };
        client.DefaultRequestHeaders.Add("X-Api-Key", ByocApp.AdminApiKey);
        return client;
    }
}
