using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using Byoc.Testing;

namespace Byoc.AppHost.Tests;

/// <summary>The real app model: redis-server and every service as real processes on loopback ports.</summary>
[Collection(RealProcesses.Name)]
public sealed class AppModelTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _dataPath = Directory.CreateTempSubdirectory("byoc-apphost-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private DistributedApplication _app = null!;

    public async Task InitializeAsync()
    {
        _app = await DistributedApplicationTestingBuilder.BuildAsync<Program>(
            ["--environment", "Development", "--AppHost:DataPath", _dataPath]);
        using var timeout = new CancellationTokenSource(StartTimeout);
        await _app.StartAsync(timeout.Token);
        foreach (var resource in new[] { "redis", "conversations", "connector-junglebook", "edge", "sandbox" })
        {
            await _app.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_dataPath, recursive: true);
    }

    [Fact]
    public void Every_resource_runs_healthy_with_two_conversations_replicas_and_only_edge_and_sandbox_external()
    {
        var snapshots = _app.GetResourceSnapshots();

        Assert.Equal(Order.Order(StringComparer.Ordinal), snapshots.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(snapshots, s =>
        {
            Assert.Equal("Running", s.State);
            Assert.Equal("Healthy", s.Health);
            Assert.NotNull(s.ProcessId);
            Assert.True(OsProcess.IsAlive(s.ProcessId.Value));
        });
        Assert.All(snapshots.Where(s => s.Resource is "edge" or "sandbox"), s => Assert.True(s.Endpoints.Single().IsExternal));
        Assert.All(snapshots.Where(s => s.Resource is "conversations" or "redis" or "connector-junglebook"), s => Assert.DoesNotContain(s.Endpoints, e => e.IsExternal));
    }

    [Fact]
    public async Task The_edge_reaches_conversations_over_gRPC_through_service_discovery()
    {
        // The Edge knows Conversations only as http://conversations (services__conversations__http__N); its
        // "conversations" health entry is a grpc.health.v1 call there, repeated so that both replicas answer.
        var edgeHealth = new Uri(_app.GetEndpoint("edge"), "/health");
        for (var i = 0; i < 4; i++)
        {
            var report = await _http.GetFromJsonAsync<JsonElement>(edgeHealth);
            Assert.Equal("Healthy", report.GetProperty("status").GetString());
            Assert.Equal("Healthy", report.GetProperty("entries").GetProperty("conversations").GetString());
        }
    }

    [Fact]
    public async Task Conversations_reaches_redis_and_redis_requires_the_generated_password()
    {
        foreach (var replica in _app.GetResourceSnapshots().Where(s => s.Resource == "conversations"))
        {
            var health = new Uri(new Uri(replica.Endpoints.Single(e => e.Name == "health").Url), "/health");
            var report = await _http.GetFromJsonAsync<JsonElement>(health);
            Assert.Equal("Healthy", report.GetProperty("entries").GetProperty("redis").GetString());
        }

        var connectionString = _app.GetConnectionString("redis")!;
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true"))
        {
            Assert.True(redis.IsConnected);
            Assert.Equal("yes", (await redis.GetServer(redis.GetEndPoints()[0]).ConfigGetAsync("appendonly")).Single().Value);
        }

        var withoutPassword = ConfigurationOptions.Parse(connectionString);
        withoutPassword.Password = null;
        withoutPassword.AbortOnConnectFail = false;
        await using var anonymous = await ConnectionMultiplexer.ConnectAsync(withoutPassword);
        await Assert.ThrowsAnyAsync<RedisException>(() => anonymous.GetDatabase().PingAsync());
    }

    [Fact]
    public async Task A_service_killed_with_SIGKILL_is_restarted_on_its_port_and_its_restart_counted()
    {
        var victim = _app.GetResourceSnapshots().Single(s => s.Name == "conversations-0");
        using (var process = System.Diagnostics.Process.GetProcessById(victim.ProcessId!.Value))
        {
            process.Kill();
        }

        await Poll.UntilAsync(
            () => _app.GetResourceSnapshots().Single(s => s.Name == "conversations-0") is { Restarts: 1, State: "Running", Health: "Healthy" },
            TimeSpan.FromSeconds(30), "conversations-0 restarted and healthy again");

        var restarted = _app.GetResourceSnapshots().Single(s => s.Name == "conversations-0");
        Assert.NotEqual(victim.ProcessId, restarted.ProcessId);
        Assert.Equal(victim.Endpoints, restarted.Endpoints);
        Assert.Equal(137, restarted.LastExitCode);
        Assert.All(_app.GetResourceSnapshots().Where(s => s.Name != "conversations-0"), s => Assert.Equal(0, s.Restarts));
    }

    [Fact]
    public async Task The_status_page_shows_the_same_resources_as_html_and_json()
    {
        var json = await _http.GetFromJsonAsync<JsonElement>(new Uri(_app.StatusPageUrl!, "/api/resources"));
        var html = await _http.GetStringAsync(_app.StatusPageUrl);

        var names = json.EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToList();
        Assert.Equal(6, names.Count);
        Assert.All(names, n => Assert.Contains($"<td>{n}</td>", html, StringComparison.Ordinal));
        var missing = await _http.GetAsync(new Uri(_app.StatusPageUrl!, "/api/resources/nobody/logs"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    private static readonly string[] Order = ["redis", "conversations-0", "conversations-1", "connector-junglebook", "edge", "sandbox"];
}

[CollectionDefinition(Name)]
public sealed class RealProcesses
{
    public const string Name = "Real processes";
}
