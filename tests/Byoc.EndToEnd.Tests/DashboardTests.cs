using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Byoc.Testing;
using Microsoft.Playwright;

namespace Byoc.EndToEnd.Tests;

/// <summary>The Aspire dashboard as a developer opens it: every resource, and a message's trace across the parts.</summary>
[Collection(ByocAppCollection.Name)]
public sealed class DashboardTests(ByocApp app, Browser browser) : IClassFixture<Browser>
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(60);
    private static readonly string[] LoggingServices = ["conversations", "connector-junglebook", "edge", "sandbox"];
    private static readonly TimeSpan TraceArrival = TimeSpan.FromMinutes(2);
    private static readonly string[] TraceParties = ["sandbox", "edge", "conversations", "connector-junglebook"];
    private static readonly string Screenshots = Path.Combine(ServiceBuild.RepoRoot, ".artifacts", "screenshots");

    [Fact]
    public async Task The_dashboard_lists_every_resource_running_and_their_structured_logs()
    {
        await using var context = await browser.Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };

        await page.GotoAsync((await app.App.GetDashboardUrlAsync()).ToString());

        // Replicas show as conversations-{suffix}; every row reads "Project: name Running ..." once it runs.
        Directory.CreateDirectory(Screenshots);
        try
        {
            await Poll.UntilAsync(async () =>
            {
                var text = await page.Locator("body").InnerTextAsync();
                return ByocApp.Resources.All(r => text.Contains(r, StringComparison.Ordinal))
                    && await page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Running" }).CountAsync() == 6;
            }, TraceArrival, "the resources page lists redis, two conversations replicas, the connector, the Edge and the sandbox, all running");
        }
        catch (TimeoutException e)
        {
            // Say what the page showed instead.
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "dashboard-resources-unexpected.png"), FullPage = true });
            var rows = await page.GetByRole(AriaRole.Row).AllInnerTextsAsync();
            throw new TimeoutException($"{e.Message}. Rows: {string.Join(" | ", rows.Select(r => r.ReplaceLineEndings(" ")))}", e);
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "dashboard-resources.png"), FullPage = true });

        // Every service exports its logs over OTLP: each has rows of structured entries (start-up logs at the least).
        await page.GotoAsync(new Uri(new Uri(page.Url), "/structuredlogs").ToString());
        await Poll.UntilAsync(async () =>
        {
            foreach (var service in LoggingServices)
            {
                if (await page.GetByRole(AriaRole.Row).Filter(new() { HasText = service }).CountAsync() == 0)
                {
                    return false;
                }
            }

            return true;
        }, Arrival, "the structured logs page has entries from Conversations, the connector, the Edge and the sandbox");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "dashboard-structured-logs.png"), FullPage = true });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_agent_reply_is_one_trace_from_CXone_through_the_edge_conversations_and_the_connector_to_the_platform()
    {
        var user = $"trace-{Guid.NewGuid():N}";
        await app.CustomerWritesAsync("monkey-kingdom", user, "Trace me, please.");
        var cxoneThread = await app.AgentThreadWithAsync(ByocApp.MonkeyKingdom, "Trace me, please.");

        // The test starts the trace, so it knows the id the dashboard files it under.
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sandbox/cxone/agent/reply")
        {
            Content = JsonContent.Create(new { channelId = ByocApp.MonkeyKingdom, threadId = cxoneThread, text = "Traced all the way." }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        var reply = await app.Sandbox.Http.SendAsync(request);
        Assert.Equal(200, (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());

        await using var context = await browser.Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync((await app.App.GetDashboardUrlAsync()).ToString());
        var detail = new Uri(new Uri(page.Url), $"/traces/detail/{traceId}").ToString();
        // The spans reach the dashboard within a few export rounds; until then the page has fewer of them.
        await Poll.UntilAsync(async () =>
        {
            await page.GotoAsync(detail);
            try
            {
                // The platform call is the deepest span: once the connector's spans render, the page is complete.
                await Assertions.Expect(page.GetByText("connector-junglebook").First).ToBeVisibleAsync(new() { Timeout = 20_000 });
                var text = await page.Locator("body").InnerTextAsync();
                return TraceParties.All(p => text.Contains(p, StringComparison.Ordinal));
            }
            catch (PlaywrightException)
            {
                return false;
            }
        }, TraceArrival, "the dashboard shows the reply's spans from the sandbox, the Edge, Conversations and the connector in one trace");

        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "dashboard-trace.png"), FullPage = true });
    }
}
