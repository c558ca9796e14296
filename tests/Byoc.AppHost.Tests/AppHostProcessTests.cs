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
    private static readonly string[] Services = ["redis-server", "Byoc.Conversations", "Byoc.Conversations", "Byoc.Connectors.Junglebook", "Byoc.Edge", "Byoc.Sandbox", "Aspire.Dashboard"];

    private readonly string _dataPath = Directory.CreateTempSubdirectory("byoc-apphost-").FullName;

    public void Dispose() => Directory.Delete(_dataPath, recursive: true);

    [Fact]
    public async Task Killing_the_AppHost_with_SIGKILL_leaves_no_process_behind()
    {
        using var apphost = await StartWithEveryResourceAsync();
        var started = AppHostProcess.ProcessesUnder(apphost.Id);

        apphost.Kill();
        await apphost.WaitForExitAsync();

        await Poll.UntilAsync(() => !started.Any(p => OsProcess.IsAlive(p.Pid)), StopTimeout,
            $"every process under the AppHost ended: {string.Join(", ", started.Select(p => p.Pid))}");
    }

    [Fact]
    public async Task Stopping_the_AppHost_with_SIGTERM_stops_every_resource_and_the_AppHost_exits_cleanly()
    {
        using var apphost = await StartWithEveryResourceAsync();
        var started = AppHostProcess.ProcessesUnder(apphost.Id);

        Terminate(apphost.Id);

        await apphost.WaitForExitAsync().WaitAsync(StopTimeout);
        Assert.Equal(0, apphost.ExitCode);
        await Poll.UntilAsync(() => !started.Any(p => OsProcess.IsAlive(p.Pid)), StopTimeout, "every process under the AppHost ended");
    }

    /// <summary>
    /// Starts the AppHost on free ports (as two checkouts at once would), waits for the dashboard's login link and
    /// for every resource's process.
    /// </summary>
    private async Task<Process> StartWithEveryResourceAsync()
    {
        var apphost = AppHostProcess.Start(["--AppHost:DataPath", _dataPath], new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{TestProcesses.FreePort()}",
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{TestProcesses.FreePort()}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{TestProcesses.FreePort()}",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
            ["DcpPublisher__RandomizePorts"] = "true",
        });
        var login = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        apphost.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (LoginLink().Match(e.Data) is { Success: true } match)
            {
                login.TrySetResult(match.Value);
            }
        };
        apphost.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        apphost.BeginOutputReadLine();
        apphost.BeginErrorReadLine();

        try
        {
            var link = await login.Task.WaitAsync(StartTimeout);
            Assert.StartsWith("http://127.0.0.1:", link, StringComparison.Ordinal);
            await Poll.UntilAsync(() => Running(AppHostProcess.ProcessesUnder(apphost.Id)).SequenceEqual(Services.Order(StringComparer.Ordinal)),
                StartTimeout, "redis-server, both Conversations replicas, the connector, the Edge, the sandbox and the dashboard run");
            return apphost;
        }
        catch (Exception e) when (e is TimeoutException)
        {
            apphost.Kill();
            throw new TimeoutException($"{e.Message}\n{string.Join('\n', output)}", e);
        }
    }

    private static IEnumerable<string> Running(IReadOnlyList<(int Pid, string Command)> processes) =>
        processes.Select(p => Path.GetFileName(p.Command.Split(' ')[0])).Where(Services.Contains).Order(StringComparer.Ordinal);

    private static void Terminate(int pid) => Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    [GeneratedRegex(@"http://\S+/login\?t=[0-9a-f]+")]
    private static partial Regex LoginLink();
}

[CollectionDefinition(Name)]
public sealed class RunningAppHosts
{
    public const string Name = "Running AppHosts";
}
