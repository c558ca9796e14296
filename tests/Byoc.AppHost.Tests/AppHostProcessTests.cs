using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Testing;

namespace Byoc.AppHost.Tests;

/// <summary>The AppHost as a user runs it: its own process, its own console.</summary>
[Collection(RealProcesses.Name)]
public sealed class AppHostProcessTests : IDisposable
{
    private readonly string _dataPath = Directory.CreateTempSubdirectory("byoc-apphost-").FullName;

    public void Dispose() => Directory.Delete(_dataPath, recursive: true);

    [Fact]
    public async Task Killing_the_AppHost_with_SIGKILL_leaves_no_resource_process_behind()
    {
        using var apphost = StartAppHost(Environment.GetEnvironmentVariable("PATH")!);
        var statusPage = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        apphost.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("Status page: ", StringComparison.Ordinal) == true)
            {
                statusPage.TrySetResult(new Uri(e.Data["Status page: ".Length..]));
            }
        };
        apphost.BeginOutputReadLine();
        apphost.BeginErrorReadLine();

        var url = await statusPage.Task.WaitAsync(TimeSpan.FromSeconds(90));
        using var http = new HttpClient();
        var resources = await http.GetFromJsonAsync<JsonElement>(new Uri(url, "/api/resources"));
        var pids = resources.EnumerateArray().Select(r => r.GetProperty("processId").GetInt32()).ToList();
        Assert.Equal(6, pids.Count);
        Assert.All(pids, pid => Assert.True(OsProcess.IsAlive(pid)));

        apphost.Kill();
        await apphost.WaitForExitAsync();

        await Poll.UntilAsync(() => !pids.Any(OsProcess.IsAlive), TimeSpan.FromSeconds(20),
            $"every resource process ({string.Join(", ", pids)}) ended after the AppHost was killed");
    }

    [Fact]
    public async Task Without_redis_server_the_AppHost_stops_with_one_sentence_on_how_to_fix_it_and_starts_nothing()
    {
        var emptyPath = Directory.CreateDirectory(Path.Combine(_dataPath, "empty-path")).FullName;
        using var apphost = StartAppHost(emptyPath);
        var stdout = apphost.StandardOutput.ReadToEndAsync();
        var stderr = apphost.StandardError.ReadToEndAsync();

        await apphost.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, apphost.ExitCode);
        var message = (await stderr).Trim();
        Assert.StartsWith("redis-server is not installed:", message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__redis", message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain("Now listening", await stdout, StringComparison.Ordinal);
    }

    private Process StartAppHost(string path)
    {
        var appHost = typeof(Program).Assembly.Location;
        var info = new ProcessStartInfo(DotnetHost(), [appHost, "--AppHost:RandomizePorts", "true", "--AppHost:StatusUrl", "http://127.0.0.1:0", "--AppHost:DataPath", _dataPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["PATH"] = path;
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        return Process.Start(info)!;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..", "dotnet");
}
