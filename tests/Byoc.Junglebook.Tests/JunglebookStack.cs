using Microsoft.Extensions.Configuration;
using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Testing;
using Grpc.Net.Client;

namespace Byoc.Junglebook.Tests;

/// <summary>
/// The inbound and outbound path of Junglebook as real processes: the sandbox (Junglebook network and CXone), the
/// Junglebook connector, Conversations and redis-server. Junglebook's webhooks go straight to the connector here
/// (in the full app model the Edge forwards them).
/// </summary>
public sealed class JunglebookStack : IAsyncLifetime
{
    public const string MonkeyKingdom = "junglebook-monkey-kingdom";
    public const string ManVillage = "junglebook-man-village";
    public const string InternalKey = "junglebook-test-internal-key";

    private readonly List<IAsyncDisposable> _processes = [];

    public RedisServer Redis { get; } = new();

    public SandboxProcess Sandbox { get; private set; } = null!;

    public Uri ConnectorWeb { get; private set; } = null!;

    public GrpcChannel Conversations { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        var (connectorGrpc, connectorWeb, conversationsGrpc, conversationsHealth) =
            (ServiceProcess.FreePort(), ServiceProcess.FreePort(), ServiceProcess.FreePort(), ServiceProcess.FreePort());
        ConnectorWeb = new Uri($"http://127.0.0.1:{connectorWeb}");

        Sandbox = await SandboxProcess.StartAsync(new Dictionary<string, string> { ["Sandbox:Junglebook:WebhookBaseUrl"] = $"{ConnectorWeb}hooks/junglebook" });
        _processes.Add(Sandbox);

        var conversations = new Dictionary<string, string>
        {
            ["ConnectionStrings:redis"] = Redis.ConnectionString,
            ["Byoc:InternalKey"] = InternalKey,
            ["Kestrel:Endpoints:http:Url"] = $"http://127.0.0.1:{conversationsGrpc}",
            ["Kestrel:Endpoints:health:Url"] = $"http://127.0.0.1:{conversationsHealth}",
            ["Byoc:Connectors:junglebook"] = $"http://127.0.0.1:{connectorGrpc}",
            ["Byoc:Conversations:RetryBaseDelay"] = "00:00:00.020",
            ["Byoc:Conversations:Partitions"] = "4",
        };
        var integration = "Byoc:Provisioning:Integrations:0:";
        conversations[integration + "Id"] = "bare-necessities";
        conversations[integration + "TenantId"] = "11ee0000-sand-b0x0-0000-000000000001";
        conversations[integration + "ClientId"] = "bare-necessities-client";
        conversations[integration + "ClientSecret"] = "bare-necessities-secret";
        conversations[integration + "Cxone:Issuer"] = Sandbox.Url.ToString();
        conversations[integration + "Cxone:DigitalApiBaseUrl"] = new Uri(Sandbox.Url, "/dfo/3.0").ToString();
        conversations[integration + "Cxone:AppClientId"] = "byoc-sandbox-app";
        conversations[integration + "Cxone:AppClientSecret"] = "sandbox-app-secret";
        conversations[integration + "Cxone:AccessKeyId"] = "sandbox-access-key";
        conversations[integration + "Cxone:AccessKeySecret"] = "sandbox-access-secret==";
        var profiles = new[] { (MonkeyKingdom, "monkey-kingdom"), (ManVillage, "man-village") };
        for (var i = 0; i < profiles.Length; i++)
        {
            var channel = $"{integration}Channels:{i}:";
            conversations[channel + "Id"] = profiles[i].Item1;
            conversations[channel + "Connector"] = "junglebook";
            conversations[channel + "AccountId"] = profiles[i].Item2;
            conversations[channel + "Settings:token"] = $"jb-token-{profiles[i].Item2}";
            conversations[channel + "Settings:webhookSecret"] = $"jb-webhook-secret-{profiles[i].Item2}";
        }

        _processes.Add(await ServiceProcess.StartConversationsAsync(conversations, new Uri($"http://127.0.0.1:{conversationsHealth}/health")));
        Conversations = GrpcChannel.ForAddress($"http://127.0.0.1:{conversationsGrpc}", new GrpcChannelOptions
        {
            HttpHandler = new Byoc.ServiceDefaults.InternalKeyHandler(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
                .AddInMemoryCollection([new(Byoc.ServiceDefaults.InternalCallers.ConfigurationKey, InternalKey)]).Build()) { InnerHandler = new SocketsHttpHandler() },
        });

        _processes.Add(await ServiceProcess.StartJunglebookConnectorAsync(new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:http:Url"] = $"http://127.0.0.1:{connectorGrpc}",
            ["Kestrel:Endpoints:web:Url"] = ConnectorWeb.ToString(),
            ["services:conversations:http:0"] = $"http://127.0.0.1:{conversationsGrpc}",
            ["Byoc:InternalKey"] = InternalKey,
            ["Junglebook:ApiBaseUrl"] = new Uri(Sandbox.Url, "/junglebook/api/").ToString(),
        }, new Uri(ConnectorWeb, "/health")));

        await Poll.UntilAsync(async () => (await Sandbox.ChannelIdsAsync()).Count == 2, TimeSpan.FromSeconds(30), "both profiles are points of contact at CXone");
    }

    public async Task DisposeAsync()
    {
        Conversations?.Dispose();
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await process.DisposeAsync();
        }

        await Redis.DisposeAsync();
    }

    /// <summary>A customer writes to a profile on Junglebook; returns Junglebook's message and thread ids.</summary>
    public async Task<(string MessageId, string ThreadId, int WebhookStatus)> CustomerWritesAsync(string profile, string userId, string text, bool isPublic = false, string? threadId = null, object[]? attachments = null)
    {
        var response = await Sandbox.Http.PostAsJsonAsync("/junglebook/customer/messages", new { profile, userId, userName = "Mowgli Jungle", text, @public = isPublic, threadId, title = isPublic ? "About bananas" : null, attachments });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("messageId").GetString()!, body.GetProperty("threadId").GetString()!, body.GetProperty("webhookStatus").GetInt32());
    }

    public async Task<JsonElement> JunglebookThreadAsync(string threadId) =>
        await Sandbox.Http.GetFromJsonAsync<JsonElement>($"/junglebook/customer/threads/{threadId}");
}

[CollectionDefinition(Name)]
public sealed class JunglebookCollection : ICollectionFixture<JunglebookStack>
{
    public const string Name = "Junglebook stack";
}
