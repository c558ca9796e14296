using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Byoc.Testing;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;

namespace Byoc.EndToEnd.Tests;

/// <summary>
/// The whole app model of Byoc.AppHost in Development, started by Aspire (DCP, with the dashboard) on random ports:
/// redis-server, two Conversations replicas, the Junglebook connector, the Edge and the sandbox, as real processes.
/// Started once for every end-to-end test.
/// </summary>
public sealed class ByocApp : IAsyncLifetime
{
    public const string MonkeyKingdom = "junglebook-monkey-kingdom";
    public const string ManVillage = "junglebook-man-village";
    public const string IntegrationId = "bare-necessities";

    /// <summary>Given to the app model, so tests can call Conversations' gRPC services as Byoc's own parts do.</summary>
    public const string InternalKey = "end-to-end-internal-key-0123456789abcdef0123456789";

    /// <summary>The admin browser tests' integration (no point of contact at start): its credentials are theirs to change.</summary>
    public const string AdminIntegrationId = "admin-browser-tests";

    public const string AdminIntegrationClientId = "admin-browser-tests-client";

    private static readonly Dictionary<string, string> AdminIntegrationSettings =
        SandboxIntegration(AdminIntegrationId, "11ee0000-sand-b0x0-0000-000000000001", "Admin browser tests", AdminIntegrationClientId, "admin-browser-tests-secret-0123456789");

    /// <summary>
    /// Conversations' provisioning settings (<c>Byoc:Provisioning:Integrations:N</c>) for one more integration whose
    /// CXone is the sandbox's.
    /// </summary>
    public static Dictionary<string, string> SandboxIntegration(string id, string tenantId, string name, string clientId, string clientSecret) => new()
    {
        ["Id"] = id,
        ["TenantId"] = tenantId,
        ["Name"] = name,
        ["ClientId"] = clientId,
        ["ClientSecret"] = clientSecret,
        ["Cxone__Issuer"] = "http://sandbox",
        ["Cxone__DigitalApiBaseUrl"] = "http://sandbox/dfo/3.0",
        ["Cxone__AppClientId"] = "byoc-sandbox-app",
        ["Cxone__AppClientSecret"] = "sandbox-app-secret",
        ["Cxone__AccessKeyId"] = "sandbox-access-key",
        ["Cxone__AccessKeySecret"] = "sandbox-access-secret==",
    };

    /// <summary>The Edge's admin API key in this app (an Admin of every tenant), for the admin API and pages.</summary>
    public const string AdminApiKey = "end-to-end-admin-key-0123456789abcdef0123456789";

    public static readonly string[] Resources = ["redis", "conversations", "connector-junglebook", "edge", "sandbox"];

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly string _dataPath = Directory.CreateTempSubdirectory("byoc-e2e-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    public SandboxClient Sandbox { get; private set; } = null!;

    public Uri SandboxUrl => Sandbox.Url;

    public Uri EdgeUrl { get; private set; } = null!;

    private GrpcChannel _conversationsChannel = null!;

    /// <summary>
    /// Conversations' gRPC endpoint (Aspire's proxy in front of both replicas), with the internal key and a 30 s
    /// deadline on every call.
    /// </summary>
    public CallInvoker Conversations { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Byoc_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = true },
            ["--environment", "Development", "--AppHost:DataPath", _dataPath, "--Parameters:internal-key-edge", InternalKey],
            timeout.Token);
        // Every test opens the settings page from one address (127.0.0.1); the per-address limit has its own Edge tests.
        builder.CreateResourceBuilder<Aspire.Hosting.ApplicationModel.ProjectResource>("edge").WithEnvironment("Edge__Settings__PermitsPerMinute", "100000");
        // An integration of its own for the admin browser tests, whose credentials they generate and rotate freely.
        var conversations = builder.CreateResourceBuilder<Aspire.Hosting.ApplicationModel.ProjectResource>("conversations");
        foreach (var (key, value) in AdminIntegrationSettings)
        {
            conversations.WithEnvironment($"Byoc__Provisioning__Integrations__1__{key}", value);
        }

        // Tests sign in to the admin API and pages as an Admin of every tenant with this key.
        builder.CreateResourceBuilder<Aspire.Hosting.ApplicationModel.ProjectResource>("edge").WithEnvironment("Edge__Admin__ApiKey", AdminApiKey);
        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        foreach (var resource in Resources)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        EdgeUrl = App.GetEndpoint("edge", "http");
        Sandbox = new SandboxClient(App.GetEndpoint("sandbox", "http"));
        _conversationsChannel = GrpcChannel.ForAddress(App.GetEndpoint("conversations", "http"), new GrpcChannelOptions
        {
            HttpHandler = new Byoc.ServiceDefaults.InternalKeyHandler(new ConfigurationBuilder()
                .AddInMemoryCollection([new(Byoc.ServiceDefaults.InternalCallers.ConfigurationKey, InternalKey)]).Build()) { InnerHandler = new SocketsHttpHandler() },
        });
        Conversations = _conversationsChannel.Intercept(new Byoc.ServiceDefaults.DefaultDeadlineInterceptor(TimeSpan.FromSeconds(30), TimeProvider.System));
        await Poll.UntilAsync(async () => (await Sandbox.ChannelIdsAsync()).Count == 2,
            TimeSpan.FromSeconds(60), "the Junglebook profiles are points of contact at CXone");
    }

    public async Task DisposeAsync()
    {
        _conversationsChannel?.Dispose();
        Sandbox?.Http.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        Directory.Delete(_dataPath, recursive: true);
    }

    /// <summary>A customer writes to a profile on Junglebook; returns Junglebook's message and thread ids.</summary>
    public async Task<(string MessageId, string ThreadId, int WebhookStatus)> CustomerWritesAsync(
        string profile, string userId, string text, bool isPublic = false, string? threadId = null, object[]? attachments = null)
    {
        var response = await Sandbox.Http.PostAsJsonAsync("/junglebook/customer/messages", new { profile, userId, userName = "Mowgli Jungle", text, @public = isPublic, threadId, title = isPublic ? "About bananas" : null, attachments });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("messageId").GetString()!, body.GetProperty("threadId").GetString()!, body.GetProperty("webhookStatus").GetInt32());
    }

    public async Task<JsonElement> JunglebookThreadAsync(string threadId) =>
        await Sandbox.Http.GetFromJsonAsync<JsonElement>($"/junglebook/customer/threads/{threadId}");

    /// <summary>The conversations the agent console shows on a point of contact: thread id → messages in order.</summary>
    public async Task<IReadOnlyDictionary<string, List<JsonElement>>> AgentConversationsAsync(string channelId)
    {
        var log = await Sandbox.MessagesAsync(channelId);
        return log.GetProperty("messages").EnumerateArray()
            .GroupBy(m => m.GetProperty("thread").GetProperty("idOnExternalPlatform").GetString()!)
            .ToDictionary(g => g.Key, g => g.ToList());
    }

    /// <summary>Waits until the agent console shows <paramref name="text"/> on a point of contact; returns its CXone thread id.</summary>
    public async Task<string> AgentThreadWithAsync(string channelId, string text)
    {
        string? thread = null;
        await Poll.UntilAsync(async () =>
        {
            thread = (await AgentConversationsAsync(channelId)).FirstOrDefault(c => c.Value.Any(m => Text(m) == text)).Key;
            return thread is not null;
        }, TimeSpan.FromSeconds(60), $"the agent sees \"{text}\"");
        return thread!;
    }

    public static string Text(JsonElement message) => message.GetProperty("messageContent").GetProperty("payload").GetProperty("text").GetString()!;
}

[CollectionDefinition(Name)]
public sealed class ByocAppCollection : ICollectionFixture<ByocApp>
{
    public const string Name = "Byoc app";
}
