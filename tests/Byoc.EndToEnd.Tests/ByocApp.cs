using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Testing;

namespace Byoc.EndToEnd.Tests;

/// <summary>
/// The whole app model of Byoc.AppHost in Development — redis-server, two Conversations replicas, the Junglebook
/// connector, the Edge and the sandbox — as real processes on real ports, started once for these tests.
/// </summary>
public sealed class ByocApp : IAsyncLifetime
{
    public const string MonkeyKingdom = "junglebook-monkey-kingdom";

    private readonly string _dataPath = Directory.CreateTempSubdirectory("byoc-e2e-").FullName;
    private DistributedApplication _app = null!;

    public HttpClient Sandbox { get; private set; } = null!;

    public Uri SandboxUrl { get; private set; } = null!;

    public Uri EdgeUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _app = await DistributedApplicationTestingBuilder.BuildAsync<Program>(["--environment", "Development", "--AppHost:DataPath", _dataPath]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await _app.StartAsync(timeout.Token);
        foreach (var resource in new[] { "redis", "conversations", "connector-junglebook", "edge", "sandbox" })
        {
            await _app.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        SandboxUrl = _app.GetEndpoint("sandbox");
        EdgeUrl = _app.GetEndpoint("edge");
        Sandbox = new HttpClient { BaseAddress = SandboxUrl, Timeout = TimeSpan.FromSeconds(30) };
        await Poll.UntilAsync(async () => (await Sandbox.GetFromJsonAsync<JsonElement>("/sandbox/cxone/channels")).GetArrayLength() == 2,
            TimeSpan.FromSeconds(60), "the Junglebook profiles are points of contact at CXone");
    }

    public async Task DisposeAsync()
    {
        Sandbox?.Dispose();
        await _app.DisposeAsync();
        Directory.Delete(_dataPath, recursive: true);
    }

    public async Task<(string MessageId, string ThreadId, int WebhookStatus)> CustomerWritesAsync(string profile, string userId, string text, string? threadId = null)
    {
        var response = await Sandbox.PostAsJsonAsync("/junglebook/customer/messages", new { profile, userId, userName = "Mowgli Jungle", text, @public = false, threadId });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("messageId").GetString()!, body.GetProperty("threadId").GetString()!, body.GetProperty("webhookStatus").GetInt32());
    }

    /// <summary>The conversations the agent console shows on a point of contact: thread id → messages in order.</summary>
    public async Task<IReadOnlyDictionary<string, List<JsonElement>>> AgentConversationsAsync(string channelId)
    {
        var log = await Sandbox.GetFromJsonAsync<JsonElement>($"/sandbox/cxone/channels/{channelId}/messages");
        return log.GetProperty("messages").EnumerateArray()
            .GroupBy(m => m.GetProperty("thread").GetProperty("idOnExternalPlatform").GetString()!)
            .ToDictionary(g => g.Key, g => g.ToList());
    }

    public static string Text(JsonElement message) => message.GetProperty("messageContent").GetProperty("payload").GetProperty("text").GetString()!;
}

[CollectionDefinition(Name)]
public sealed class ByocAppCollection : ICollectionFixture<ByocApp>
{
    public const string Name = "Byoc app";
}
