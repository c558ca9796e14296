using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Byoc.EndToEnd.Tests;

/// <summary>The app model running under Aspire: health, service discovery, Redis, and the links the dashboard shows.</summary>
[Collection(ByocAppCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RunningAppTests(ByocApp app)
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task The_edge_reaches_conversations_over_gRPC_through_service_discovery_and_both_replicas_share_one_redis()
    {
        // The Edge knows Conversations only as http://conversations; its "conversations" health entry is a
        // grpc.health.v1 call there, repeated so that Aspire's proxy spreads it over both replicas.
        var edgeHealth = new Uri(app.EdgeUrl, "/health");
        for (var i = 0; i < 4; i++)
        {
            var report = await _http.GetFromJsonAsync<JsonElement>(edgeHealth);
            Assert.Equal("Healthy", report.GetProperty("status").GetString());
            Assert.Equal("Healthy", report.GetProperty("entries").GetProperty("conversations").GetString());
        }

        // Both replicas run their inbound workers against the shared Redis: each keeps a heartbeat there.
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await app.App.GetConnectionStringAsync("redis"))!);
        Assert.Equal(2, await redis.GetDatabase().SortedSetLengthAsync("byoc:v1:replicas"));
    }

    [Fact]
    public async Task Redis_runs_with_the_append_only_file_on_and_refuses_clients_without_the_generated_password()
    {
        var connectionString = await app.App.GetConnectionStringAsync("redis");
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true"))
        {
            var server = redis.GetServer(redis.GetEndPoints()[0]);
            Assert.Equal("yes", (await server.ConfigGetAsync("appendonly")).Single().Value);
            // Fsynced before each reply (an acknowledged ingest survives a crash of Redis); Byoc's state is never evicted.
            Assert.Equal("always", (await server.ConfigGetAsync("appendfsync")).Single().Value);
            Assert.Equal("noeviction", (await server.ConfigGetAsync("maxmemory-policy")).Single().Value);
            Assert.Equal("127.0.0.1 -::1", (await server.ConfigGetAsync("bind")).Single().Value);
        }

        var withoutPassword = ConfigurationOptions.Parse(connectionString!);
        withoutPassword.Password = null;
        withoutPassword.AbortOnConnectFail = false;
        await using var anonymous = await ConnectionMultiplexer.ConnectAsync(withoutPassword);
        await Assert.ThrowsAnyAsync<RedisException>(() => anonymous.GetDatabase().PingAsync());
    }

    [Fact]
    public async Task The_password_reaches_redis_in_a_config_file_only_its_owner_may_read_never_on_its_command_line()
    {
        var redis = app.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<RedisServerResource>().Single();
        var config = Path.Combine(redis.DataDirectory, "redis.conf");
        var password = ConfigurationOptions.Parse((await app.App.GetConnectionStringAsync("redis"))!).Password!;

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
        Assert.Contains($"requirepass {password}", await File.ReadAllTextAsync(config), StringComparison.Ordinal);
        Assert.True(app.App.ResourceNotifications.TryGetCurrentState("redis", out var state));
        var arguments = string.Join(' ', (IEnumerable<object>)state.Snapshot.Properties.Single(p => p.Name == "executable.args").Value!);
        Assert.StartsWith($"{config} --port ", arguments, StringComparison.Ordinal);
        Assert.DoesNotContain(password, arguments, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_links_the_pages_a_newcomer_opens_first()
    {
        var notifications = app.App.Services.GetRequiredService<ResourceNotificationService>();
        Assert.True(notifications.TryGetCurrentState("sandbox", out var sandbox));
        Assert.True(notifications.TryGetCurrentState("edge", out var edge));

        var links = sandbox.Snapshot.Urls.Concat(edge.Snapshot.Urls).Where(u => u.DisplayProperties.DisplayName is { Length: > 0 }).ToList();
        Assert.Contains(links, u => u.Url.EndsWith("/junglebook.html", StringComparison.Ordinal) && u.DisplayProperties.DisplayName.StartsWith("1. Junglebook", StringComparison.Ordinal));
        Assert.Contains(links, u => u.Url.EndsWith("/agent.html", StringComparison.Ordinal) && u.DisplayProperties.DisplayName.StartsWith("2. CXone agent console", StringComparison.Ordinal));
        Assert.Contains(links, u => u.Url.EndsWith("/scalar", StringComparison.Ordinal));
        foreach (var link in links)
        {
            Assert.True((await _http.GetAsync(new Uri(link.Url))).IsSuccessStatusCode, link.Url);
        }
    }
}
