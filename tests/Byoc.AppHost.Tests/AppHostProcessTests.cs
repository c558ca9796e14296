using System.Diagnostics;
using System.Text.RegularExpressions;
using Byoc.Testing;

namespace Byoc.AppHost.Tests;

/// <summary>The AppHost as a user runs it: its own process with DCP and the dashboard under it.</summary>
[Collection(RunningAppHosts.Name)]
public sealed partial class AppHostProcessTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] Services = ["Aspire.Dashboard", "Byoc.Connectors.Junglebook", "Byoc.Conversations", "Byoc.Conversations", "Byoc.Edge", "Byoc.Sandbox", "redis-server"];

    private readonly string _dataPath = Directory.CreateTempSubdirectory("byoc-apphost-").FullName;

    public void Dispose() => Directory.Delete(_dataPath, recursive: true);

    [Fact]
    public async Task Killing_the_AppHost_with_SIGKILL_leaves_no_process_behind()
    {
        using var apphost = await StartWithEveryResourceAsync();
        var started = AppHostProcess.ProcessesUnder(apphost.Id);

        apphost.Process.Kill();
        await apphost.Process.WaitForExitAsync();

        await Poll.UntilAsync(() => !started.Any(p => OsProcess.IsAlive(p.Pid)), StopTimeout,
            $"every process under the AppHost ended: {string.Join(", ", started.Select(p => p.Pid))}");
    }

    [Theory]
    [InlineData("TERM")] // what `kill`, systemd and container runtimes send
    [InlineData("INT")] // what a terminal's Ctrl+C sends
    public async Task Stopping_the_AppHost_with_a_signal_stops_every_resource_and_the_AppHost_exits_cleanly(string signal)
    {
        using var apphost = await StartWithEveryResourceAsync();
        var started = AppHostProcess.ProcessesUnder(apphost.Id);

        using (var kill = Process.Start("kill", [$"-{signal}", apphost.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await apphost.Process.WaitForExitAsync().WaitAsync(StopTimeout);
        Assert.Equal(0, apphost.Process.ExitCode);
        await Poll.UntilAsync(() => !started.Any(p => OsProcess.IsAlive(p.Pid)), StopTimeout, "every process under the AppHost ended");
    }

    [Fact]
    public async Task The_local_redis_conf_holds_an_acl_user_for_the_edge_that_works_on_its_own_keys_and_cannot_read_conversations_keys()
    {
        using var apphost = await StartWithEveryResourceAsync();
        var config = await File.ReadAllLinesAsync(Path.Combine(_dataPath, "redis", "redis.conf"));
        var edge = config.Single(l => l.StartsWith("user edge on >", StringComparison.Ordinal));
        var server = AppHostProcess.ProcessesUnder(apphost.Id).Single(p => p.Command.StartsWith("redis-server ", StringComparison.Ordinal));
        // redis-server names itself "redis-server 127.0.0.1:{port}".
        var port = server.Command.Split(' ')[1].Split(':')[1];
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},user=edge,password={edge.Split(' ')[3][1..]}");
        var database = redis.GetDatabase();

        var refused = await Assert.ThrowsAsync<StackExchange.Redis.RedisServerException>(() => database.ListRangeAsync("byoc:v1:data-protection-keys"));

        Assert.Contains(" resetkeys ~byoc:v1:edge:* ", edge, StringComparison.Ordinal);
        Assert.Contains(" -@all ", edge, StringComparison.Ordinal);
        Assert.StartsWith("NOPERM", refused.Message, StringComparison.Ordinal);
        Assert.True(await database.StringSetAsync("byoc:v1:edge:probe", "own", TimeSpan.FromMinutes(1)));
        Assert.Equal("own", (string?)await database.StringGetAsync("byoc:v1:edge:probe"));
    }

    /// <summary>
    /// Starts the AppHost on free ports (as two checkouts at once would), waits for the dashboard's login link and
    /// for every resource's process; kills it if it does not get there.
    /// </summary>
    private async Task<AppHostProcess> StartWithEveryResourceAsync()
    {
        var apphost = await AppHostProcess.StartAsync(["--AppHost:DataPath", _dataPath], new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{TestProcesses.FreePort()}",
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{TestProcesses.FreePort()}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{TestProcesses.FreePort()}",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
            ["DcpPublisher__RandomizePorts"] = "true",
        });
        try
        {
            await Poll.UntilAsync(() => apphost.Lines.Any(l => LoginLink().IsMatch(l)), StartTimeout, "the AppHost prints the dashboard's login link");
            await Poll.UntilAsync(() => Running(AppHostProcess.ProcessesUnder(apphost.Id)).SequenceEqual(Services),
                StartTimeout, "redis-server, both Conversations replicas, the connector, the Edge, the sandbox and the dashboard run");
            return apphost;
        }
        catch (Exception e)
        {
            var output = apphost.Output;
            apphost.Dispose();
            throw new InvalidOperationException($"{e.Message}\n{output}", e);
        }
    }

    private static IEnumerable<string> Running(IReadOnlyList<(int Pid, string Command)> processes) =>
        processes.Select(p => Path.GetFileName(p.Command.Split(' ')[0])).Where(Services.Contains).Order(StringComparer.Ordinal);

    [GeneratedRegex(@"Login to the dashboard at http://127\.0\.0\.1:\d+/login\?t=[0-9a-f]+")]
    private static partial Regex LoginLink();
}

[CollectionDefinition(Name)]
public sealed class RunningAppHosts
{
    public const string Name = "Running AppHosts";
}
