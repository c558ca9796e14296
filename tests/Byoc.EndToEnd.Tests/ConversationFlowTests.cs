using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Testing;

namespace Byoc.EndToEnd.Tests;

/// <summary>The seed's flows over HTTP only, through every real part: Junglebook → Edge → connector → Conversations → CXone and back.</summary>
[Collection(ByocAppCollection.Name)]
public sealed class ConversationFlowTests(ByocApp app)
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_customer_message_on_Junglebook_reaches_the_agent_and_the_agents_reply_reaches_the_customer()
    {
        var user = $"mowgli-{Guid.NewGuid():N}";
        var (_, jbThread, webhookStatus) = await app.CustomerWritesAsync("monkey-kingdom", user, "Where are my bananas?");
        Assert.Equal(200, webhookStatus);

        var cxoneThread = await app.AgentThreadWithAsync(ByocApp.MonkeyKingdom, "Where are my bananas?");

        var reply = await app.Sandbox.Http.PostAsJsonAsync("/sandbox/cxone/agent/reply", new { channelId = ByocApp.MonkeyKingdom, threadId = cxoneThread, text = "On their way!" });
        var answer = await reply.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(200, answer.GetProperty("status").GetInt32());
        var body = answer.GetProperty("body");
        Assert.True(body.TryGetProperty("message", out _) && body.TryGetProperty("thread", out _) && body.TryGetProperty("endUserIdentities", out _) && body.TryGetProperty("recipients", out _));
        await Poll.UntilAsync(async () =>
        {
            var thread = await app.Sandbox.Http.GetFromJsonAsync<JsonElement>($"/junglebook/customer/threads/{jbThread}");
            return thread.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("fromProfile").GetBoolean() && m.GetProperty("text").GetString() == "On their way!");
        }, Arrival, "the customer sees the agent's reply on Junglebook");
    }

    [Fact]
    public async Task With_the_DFO3_checkbox_cleared_replies_go_through_the_legacy_posts_API_and_still_reach_the_customer()
    {
        var user = $"akela-{Guid.NewGuid():N}";
        var (_, jbThread, _) = await app.CustomerWritesAsync("monkey-kingdom", user, "legacy please");
        var cxoneThread = await app.AgentThreadWithAsync(ByocApp.MonkeyKingdom, "legacy please");

        (await app.Sandbox.Http.PutAsJsonAsync("/sandbox/cxone/agent/dfo3-outbound", new { enabled = false })).EnsureSuccessStatusCode();
        JsonElement answer;
        try
        {
            answer = await (await app.Sandbox.Http.PostAsJsonAsync("/sandbox/cxone/agent/reply", new { channelId = ByocApp.MonkeyKingdom, threadId = cxoneThread, text = "Through the old door." }))
                .Content.ReadFromJsonAsync<JsonElement>();
        }
        finally
        {
            (await app.Sandbox.Http.PutAsJsonAsync("/sandbox/cxone/agent/dfo3-outbound", new { enabled = true })).EnsureSuccessStatusCode();
        }

        Assert.Equal(200, answer.GetProperty("status").GetInt32());
        Assert.Contains(answer.GetProperty("trace").EnumerateArray(), t => t.GetString()!.StartsWith($"POST /1.0/posts/{cxoneThread}/messages", StringComparison.Ordinal));
        Assert.StartsWith("junglebook-msg-", answer.GetProperty("body").GetProperty("idOnExternalPlatform").GetString(), StringComparison.Ordinal);
        await Poll.UntilAsync(async () =>
            (await app.Sandbox.Http.GetFromJsonAsync<JsonElement>($"/junglebook/customer/threads/{jbThread}")).GetProperty("messages").EnumerateArray()
                .Any(m => m.GetProperty("text").GetString() == "Through the old door."), Arrival, "the legacy reply reached the customer");
    }

    [Fact]
    public async Task A_CXone_callback_without_a_token_gets_401_then_CXone_fetches_one_retries_and_keeps_it()
    {
        var user = $"baloo-{Guid.NewGuid():N}";
        await app.CustomerWritesAsync("monkey-kingdom", user, "token dance");
        var cxoneThread = await app.AgentThreadWithAsync(ByocApp.MonkeyKingdom, "token dance");

        (await app.Sandbox.Http.PostAsync("/sandbox/cxone/agent/forget-token", null)).EnsureSuccessStatusCode();

        var first = await (await app.Sandbox.Http.PostAsJsonAsync("/sandbox/cxone/agent/typing", new { channelId = ByocApp.MonkeyKingdom, threadId = cxoneThread, on = true })).Content.ReadFromJsonAsync<JsonElement>();
        var second = await (await app.Sandbox.Http.PostAsJsonAsync("/sandbox/cxone/agent/typing", new { channelId = ByocApp.MonkeyKingdom, threadId = cxoneThread, on = false })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(204, first.GetProperty("status").GetInt32());
        var trace = first.GetProperty("trace").EnumerateArray().Select(t => t.GetString()!).ToList();
        Assert.Equal(3, trace.Count);
        Assert.EndsWith("without a token → 401", trace[0], StringComparison.Ordinal);
        Assert.Contains("/1.0/token (json) → 200", trace[1], StringComparison.Ordinal);
        Assert.EndsWith("with a token → 204", trace[2], StringComparison.Ordinal);
        // The token is kept: the next callback needs no new one.
        Assert.EndsWith("with a token → 204", Assert.Single(second.GetProperty("trace").EnumerateArray()).GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_initiated_message_to_someone_not_on_Junglebook_is_refused_with_the_middlewares_reason()
    {
        var answer = await (await app.Sandbox.Http.PostAsJsonAsync("/sandbox/cxone/agent/start", new { channelId = ByocApp.MonkeyKingdom, recipientId = "shere-khan", text = "hello?" }))
            .Content.ReadFromJsonAsync<JsonElement>();

        Assert.False(answer.GetProperty("sent").GetBoolean());
        var validation = answer.GetProperty("validation");
        Assert.Equal(400, validation.GetProperty("status").GetInt32());
        Assert.Equal("outboundValidationFailed", validation.GetProperty("body").GetProperty("errorCode").GetString());
        Assert.Equal("This person is not on Junglebook.", validation.GetProperty("body").GetProperty("displayErrorMessage").GetString());
    }

    [Fact]
    public async Task The_Edge_forwards_webhooks_to_the_connector_as_they_came_and_refuses_unknown_connectors()
    {
        using var http = new HttpClient { BaseAddress = app.EdgeUrl };

        var forged = await http.PostAsync("/hooks/junglebook/monkey-kingdom", new StringContent("""{"type":"message"}""", System.Text.Encoding.UTF8, "application/json"));
        var unknown = await http.PostAsync("/hooks/myspace/anyone", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        var sneaky = await http.PostAsync("/hooks/..%2Fadmin/x", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal("The webhook is not genuine.", (await forged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, sneaky.StatusCode);
    }

    [Fact]
    public async Task The_settings_page_opened_from_CXone_with_a_one_time_token_opens_an_admin_session_once()
    {
        var link = (await (await app.Sandbox.Http.PostAsync("/sandbox/cxone/agent/settings-link", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var first = await browser.GetAsync(link);
        var again = await browser.GetAsync(link);

        Assert.StartsWith(app.EdgeUrl.ToString(), link, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("/admin", first.Headers.Location?.ToString());
        Assert.Contains(first.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-byoc-admin=", StringComparison.Ordinal));
        // A one-time token works once: the second opening says so, with the way back to CXone.
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, again.StatusCode);
        var page = await again.Content.ReadAsStringAsync();
        Assert.Contains("This link has expired", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"{new Uri(app.SandboxUrl, "/agent.html")}\">Back to CXone</a>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hundreds_of_messages_across_many_threads_reach_the_agent_in_order_within_each_thread()
    {
        const int threads = 20, perThread = 15;
        var users = Enumerable.Range(0, threads).Select(i => $"crowd-{i}-{Guid.NewGuid():N}").ToList();

        await Task.WhenAll(users.Select(async user =>
        {
            string? thread = null;
            for (var i = 0; i < perThread; i++)
            {
                (_, thread, _) = await app.CustomerWritesAsync("monkey-kingdom", user, $"{user}#{i.ToString(CultureInfo.InvariantCulture)}", threadId: thread);
            }
        }));

        await Poll.UntilAsync(async () =>
            (await app.AgentConversationsAsync(ByocApp.MonkeyKingdom)).Values.Sum(c => c.Count(m => ByocApp.Text(m).StartsWith("crowd-", StringComparison.Ordinal) && users.Any(u => ByocApp.Text(m).StartsWith(u, StringComparison.Ordinal)))) == threads * perThread,
            TimeSpan.FromSeconds(120), "every message reached the agent");
        var conversations = await app.AgentConversationsAsync(ByocApp.MonkeyKingdom);
        foreach (var user in users)
        {
            var texts = conversations.Values.Single(c => c.Any(m => ByocApp.Text(m).StartsWith(user + "#", StringComparison.Ordinal))).Select(ByocApp.Text).ToList();
            Assert.Equal(Enumerable.Range(0, perThread).Select(i => $"{user}#{i}"), texts);
        }
    }
}
