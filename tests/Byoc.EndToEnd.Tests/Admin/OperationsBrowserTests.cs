using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Conversations.V1;
using Byoc.Testing;
using Microsoft.Playwright;

namespace Byoc.EndToEnd.Tests.Admin;

/// <summary>
/// The operations pages in the running app, in Chromium, signed in with the admin API key: the readiness checklist,
/// a message CXone refused shown as a dead letter with CXone's error, replayed from the page and delivered, its
/// timeline on the messages page, and the connectors' health. Screenshots go to .artifacts/screenshots/admin/ and
/// docs/images/admin/.
/// </summary>
[Collection(ByocAppCollection.Name)]
public sealed class OperationsBrowserTests(ByocApp app, Browser browser) : IClassFixture<Browser>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 30_000 };

    [Fact]
    public async Task A_message_CXone_refused_is_replayed_from_the_dead_letters_page_and_reaches_the_agent_and_its_timeline_shows_it()
    {
        var (page, errors) = await OpenAsync();
        var operations = new Operations.OperationsClient(app.Conversations);
        var all = new TenantScope { AllTenants = true };
        var before = (await operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = all, ChannelId = ByocApp.ManVillage, PageSize = 500 })).DeadLetters.Select(d => d.Id).ToHashSet();
        var text = $"Refused once, then replayed {Guid.NewGuid():N}"[..40];
        // CXone refuses the next message stored on Man Village: a 400 is never retried, so it is a dead letter at once.
        await app.Sandbox.AddFaultAsync("status", count: 1, pathContains: $"/channels/{ByocApp.ManVillage}/messages", statusCode: 400);
        await app.CustomerWritesAsync("man-village", $"mowgli{Guid.NewGuid():N}"[..16], text);
        DeadLetter? dead = null;
        await Poll.UntilAsync(async () =>
        {
            dead = (await operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = all, ChannelId = ByocApp.ManVillage, PageSize = 50 }))
                .DeadLetters.FirstOrDefault(d => !before.Contains(d.Id));
            return dead is not null;
        }, TimeSpan.FromSeconds(60), "the refused message is a dead letter");

        await page.GotoAsync(Url("/admin/dead-letters"));
        await page.GetByLabel("Point of contact (channel id)").FillAsync(ByocApp.ManVillage);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        var row = page.Locator($"tr[data-dead-letter='{dead!.Id}']");
        await Assertions.Expect(row).ToBeVisibleAsync(Visible);
        await Assertions.Expect(row).ToContainTextAsync("CXone refused it with 400");
        await Assertions.Expect(row).ToContainTextAsync("CXone");
        await row.Locator("summary").ClickAsync();
        await Assertions.Expect(row.Locator("pre.response")).ToContainTextAsync("SimulatedFault");
        await Screenshot(page, "dead-letters");

        // The click must come back: the page's replay runs with a deadline and shows what happened.
        await row.GetByRole(AriaRole.Button, new() { Name = $"Replay dead letter {dead.Id}" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("replay-status")).ToHaveTextAsync("Replayed 1 dead letter.", new() { Timeout = 15_000 });
        await Assertions.Expect(row).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await app.AgentThreadWithAsync(ByocApp.ManVillage, text);

        await page.GotoAsync(Url($"/admin/messages?id={Uri.EscapeDataString(dead.MessageId)}"));
        var timeline = page.GetByTestId("message-result");
        await Assertions.Expect(timeline.Locator("tr.hop-dead_lettered")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(timeline.Locator("tr.hop-replayed")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(timeline.Locator("tr.hop-accepted")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Find" })).ToBeEnabledAsync(new() { Timeout = 15_000 });
        var hops = (await timeline.Locator("tr.hop td:nth-child(2)").AllInnerTextsAsync()).ToList();
        // Refused, then replayed, then accepted (queued and the first send may swap: two replicas record them).
        Assert.True(hops.IndexOf("dead_lettered") < hops.IndexOf("replayed") && hops.IndexOf("replayed") < hops.LastIndexOf("accepted"), string.Join(", ", hops));
        await Screenshot(page, "messages");
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));

        using var api = ApiClient();
        var audit = await api.GetFromJsonAsync<JsonElement[]>("/admin/api/audit");
        Assert.Contains(audit!, e => e.GetProperty("action").GetString() == "dead-letter.replay" && e.GetProperty("target").GetString()!.Contains(dead.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_readiness_checklist_gives_the_reason_for_each_rule_a_local_url_breaks()
    {
        var (page, errors) = await OpenAsync();
        await page.GotoAsync(Url("/admin/readiness"));

        // Only the loopback Edge itself is checked: nothing leaves this machine.
        await page.GetByLabel("Public base URL").FillAsync(app.EdgeUrl.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();

        var result = page.GetByTestId("readiness-result");
        await Assertions.Expect(result.GetByRole(AriaRole.Heading)).ToContainTextAsync("Not ready for CXone", new() { Timeout = 15_000 });
        await Assertions.Expect(result.Locator("li[data-check='https']")).ToContainTextAsync("CXone calls only https:// URLs");
        await Assertions.Expect(result.Locator("li[data-check='public-address']")).ToContainTextAsync("127.0.0.1");
        await Assertions.Expect(result.Locator("li[data-check='not-aws-gateway']")).ToContainTextAsync("passed");
        await Assertions.Expect(result.Locator("li[data-check='token-endpoint']")).ToContainTextAsync("skipped");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Check" })).ToBeEnabledAsync(new() { Timeout = 15_000 });
        await Screenshot(page, "readiness");

        await page.GetByLabel("Public base URL").FillAsync("not a url");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        await Assertions.Expect(page.Locator("#base-url-error")).ToContainTextAsync("absolute URL", new() { Timeout = 15_000 });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_connectors_page_shows_the_junglebook_connector_answering_and_its_accounts()
    {
        var (page, errors) = await OpenAsync();

        await page.GotoAsync(Url("/admin/connectors"));

        await Assertions.Expect(page.Locator("tr[data-connector='junglebook']")).ToContainTextAsync("answers", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator($"tr[data-channel='{ByocApp.MonkeyKingdom}']")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Check again" })).ToBeEnabledAsync(new() { Timeout = 15_000 });
        await Screenshot(page, "connectors");
        Assert.Empty(errors);
    }

    private async Task<(IPage Page, List<string> Errors)> OpenAsync()
    {
        var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Api-Key"] = ByocApp.AdminApiKey },
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        // Which resource a "Failed to load resource" console error is about.
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                errors.Add($"{response.Status} {response.Request.Method} {response.Url}");
            }
        };
        return (page, errors);
    }

    private string Url(string path) => new Uri(app.EdgeUrl, path).ToString();

    private HttpClient ApiClient()
    {
        var client = new HttpClient { BaseAddress = app.EdgeUrl };
        client.DefaultRequestHeaders.Add("X-Api-Key", ByocApp.AdminApiKey);
        return client;
    }

    /// <summary>Saves the page as a test artifact and as the picture docs/admin.md shows.</summary>
    private static async Task Screenshot(IPage page, string name)
    {
        var root = RepositoryRoot();
        var artifact = Path.Combine(root, ".artifacts", "screenshots", "admin", $"{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(artifact)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = artifact, FullPage = true });
        var docs = Path.Combine(root, "docs", "images", "admin", $"{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(docs)!);
        File.Copy(artifact, docs, overwrite: true);
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Byoc.Aspire.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Byoc.Aspire.sln not found above the test's folder.");
    }
}
