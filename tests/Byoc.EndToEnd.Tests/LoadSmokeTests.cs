using Byoc.Bench;
using Byoc.Testing;

// Two apps must never start or run side by side on a 2-core machine: the collections run one after the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Byoc.EndToEnd.Tests;

/// <summary>
/// The app as the benchmark runs it (<see cref="BenchApp"/>: no dashboard, the sandbox's delivery receipts off, the
/// relay beside it), started for the load smoke tests alone, so that their thousands of messages and traces stay out
/// of the app and the dashboard the other end-to-end tests look at.
/// </summary>
public sealed class LoadSmokeApp : IAsyncLifetime
{
    /// <summary>The Edge's admin API key here (an Admin of every tenant), for the hostile and security tests.</summary>
    public const string AdminApiKey = "load-smoke-admin-key-7f3c9a1e5b2d4c6e8a0b1d3f5e7c9a2b";

    /// <summary>
    /// A second integration, of a tenant of its own and without points of contact, whose credentials the security
    /// tests generate and rotate freely; the demo's integration (bare-necessities) keeps its secret for the others.
    /// </summary>
    public const string OtherIntegrationId = "security-tests";

    public const string OtherTenantId = "11ee0000-secu-0000-0000-0000000000a2";

    private static readonly Dictionary<string, string> OtherIntegrationSettings =
        ByocApp.SandboxIntegration(OtherIntegrationId, OtherTenantId, "Security tests", "security-tests-client", "security-tests-provisioned-secret-0123456789");

    public BenchApp App { get; private set; } = null!;

    public SandboxClient Sandbox { get; private set; } = null!;

    /// <summary>Where Byoc's processes export their traces and logs (OTLP), for the secrets search.</summary>
    public Hostile.TelemetryReceiver Telemetry { get; private set; } = null!;

    private static readonly string[] ExportingResources = ["edge", "conversations", "connector-junglebook"];

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        Telemetry = await Hostile.TelemetryReceiver.StartAsync();
        App = await BenchApp.StartAsync(dashboard: false, perfMap: false, timeout.Token, builder =>
        {
            foreach (var resource in ExportingResources)
            {
                builder.CreateResourceBuilder<Aspire.Hosting.ApplicationModel.ProjectResource>(resource)
                    .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", new Uri(Telemetry.Address, resource).ToString())
                    .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                    .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "500")
                    .WithEnvironment("OTEL_BLRP_SCHEDULE_DELAY", "500");
            }

            builder.CreateResourceBuilder<Aspire.Hosting.ApplicationModel.ProjectResource>("edge").WithEnvironment("Edge__Admin__ApiKey", AdminApiKey);
            var conversations = builder.CreateResourceBuilder<Aspire.Hosting.ApplicationModel.ProjectResource>("conversations");
            foreach (var (key, value) in OtherIntegrationSettings)
            {
                conversations.WithEnvironment($"Byoc__Provisioning__Integrations__1__{key}", value);
            }
        });
        Sandbox = new SandboxClient(App.Sandbox);
        await Poll.UntilAsync(async () => (await Sandbox.ChannelIdsAsync()).Count == Profile.Sandbox.Count,
            TimeSpan.FromSeconds(60), "the Junglebook profiles are points of contact at CXone");
    }

    public async Task DisposeAsync()
    {
        Sandbox?.Http.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (Telemetry is not null)
        {
            await Telemetry.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LoadSmokeCollection : ICollectionFixture<LoadSmokeApp>
{
    public const string Name = "Load smoke";
}

/// <summary>
/// The benchmark suite's two directions, briefly, on the running app: many threads and connections at once, then
/// every message checked. What these assert is correctness under load (nothing lost, nothing twice, each thread in
/// order), never a rate or a latency: those are the benchmark's (bench/run, docs/benchmarks.md).
/// </summary>
[Collection(LoadSmokeCollection.Name)]
public sealed class LoadSmokeTests(LoadSmokeApp app, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Connections = 16;
    private static readonly TimeSpan LoadFor = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task Signed_webhooks_on_many_threads_at_once_reach_cxone_exactly_once_and_each_thread_in_order()
    {
        using var http = Client();
        var load = new InboundLoad(http, new Uri(app.App.Edge, "hooks/junglebook/"), Tag("smoke-in"), threads: 200, Profile.Sandbox);

        var result = await load.RunAsync("inbound smoke", Connections, LoadFor, CancellationToken.None);
        var check = await InboundCheck.VerifyAsync(app.Sandbox, load, Profile.Sandbox, updatesBefore: 0, TimeSpan.FromSeconds(90), CancellationToken.None);

        Assert.Equal(0, result.Failed);
        Assert.True(check.Acknowledged >= 400, $"only {check.Acknowledged} webhooks were acknowledged: the check needs several messages per thread");
        Assert.True(check.ExactlyOnceInOrder, check.ToString());
        Assert.Equal(0, check.Unacknowledged);
    }

    [Fact]
    public async Task Agent_replies_sent_at_once_from_many_connections_reach_junglebook_exactly_once()
    {
        using var http = Client();
        var threads = await OutboundLoad.OpenThreadsAsync(app.Sandbox, Tag("smoke-open"), Profile.Sandbox, perProfile: 10, TimeSpan.FromSeconds(60), CancellationToken.None);
        var load = new OutboundLoad(http, app.App.Edge, Tag("smoke-out"), threads, ct => EdgeTokens.FetchAsync(http, app.App.Edge, ct), useCxoneThreadIds: true);

        var result = await load.RunAsync("outbound smoke", Connections, LoadFor, CancellationToken.None);
        var check = await OutboundCheck.VerifyAsync(app.Sandbox, load, threads, CancellationToken.None);

        Assert.Equal(0, result.Failed);
        Assert.True(check.Acknowledged >= 200, $"only {check.Acknowledged} replies were acknowledged");
        Assert.True(check.ExactlyOnce, check.ToString());
        Assert.Equal(0, check.Unacknowledged);
    }

    [Fact]
    public async Task Killing_one_Conversations_replica_under_inbound_load_refuses_no_webhook_and_loses_or_repeats_nothing()
    {
        using var http = Client();
        var load = new InboundLoad(http, new Uri(app.App.Edge, "hooks/junglebook/"), Tag("kill-in"), threads: 200, Profile.Sandbox);
        var replicas = ConversationsReplicas();
        Assert.Equal(2, replicas.Count);

        var running = load.RunAsync("inbound while a replica is killed", Connections, LoadFor, CancellationToken.None);
        await Poll.UntilAsync(() => Task.FromResult(load.Sent.Count >= 300), TimeSpan.FromSeconds(30), "the load is under way");
        System.Diagnostics.Process.GetProcessById(replicas[0]).Kill();
        var result = await running;
        var check = await InboundCheck.VerifyAsync(app.Sandbox, load, Profile.Sandbox, updatesBefore: 0, TimeSpan.FromSeconds(120), CancellationToken.None);
        output.WriteLine($"{result.Succeeded} webhooks acknowledged, {result.Failed} refused; {check}");

        Assert.Equal(0, result.Failed);
        Assert.True(check.ExactlyOnceInOrder, check.ToString());
        Assert.Equal(0, check.Unacknowledged);
    }

    // This app's replicas only: their environment names this app's Redis.
    private List<int> ConversationsReplicas()
    {
        var redis = app.App.RedisConnectionString.Split(',')[0];
        return [.. Byoc.Bench.BenchApp.Processes().Where(p => p.Name.StartsWith("Conversations", StringComparison.Ordinal))
            .Select(p => p.Pid)
            .Where(pid => File.Exists($"/proc/{pid}/environ") && File.ReadAllText($"/proc/{pid}/environ").Contains(redis, StringComparison.Ordinal))];
    }

    private static HttpClient Client() => new(new SocketsHttpHandler { MaxConnectionsPerServer = Connections, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };

    private static string Tag(string what) => $"{what}-{Guid.NewGuid():N}";
}
