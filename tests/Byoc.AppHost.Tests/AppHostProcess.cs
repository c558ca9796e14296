using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Byoc.Testing;

namespace Byoc.AppHost.Tests;

/// <summary>
/// The AppHost's own build as a process, the way <c>dotnet run</c> starts it (but through the test launcher, so a
/// killed test run takes it, and with it DCP and every resource, along), and the processes under it.
/// </summary>
internal sealed class AppHostProcess : IDisposable
{
    private readonly ConcurrentQueue<string> _output;

    private AppHostProcess(Process process, ConcurrentQueue<string> output) => (Process, _output) = (process, output);

    public Process Process { get; }

    public int Id => Process.Id;

    public string Output => string.Join('\n', _output);

    public IEnumerable<string> Lines => _output;

    public static async Task<AppHostProcess> StartAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var variables = new Dictionary<string, string>(environment) { ["DOTNET_ENVIRONMENT"] = "Development" };
        var output = new ConcurrentQueue<string>();
        // A terminal's Ctrl+C must reach it even where the test host was started with SIGINT ignored (which a child
        // would inherit): env resets it to the default before the AppHost starts.
        var process = await TestProcesses.StartAsync("env",
            ["--default-signal=INT", TestProcesses.DotnetHost(), ServiceBuild.AppHost.AssemblyPath, .. arguments],
            ServiceBuild.AppHost.ProjectDirectory, variables, output.Enqueue);
        return new AppHostProcess(process, output);
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
            Process.WaitForExit();
        }

        Process.Dispose();
    }

    /// <summary>
    /// Every process DCP runs for the AppHost <paramref name="appHostPid"/>: DCP's API server watches the AppHost's
    /// pid (<c>--monitor</c>) and is the root of every resource's process.
    /// </summary>
    public static IReadOnlyList<(int Pid, string Command)> ProcessesUnder(int appHostPid)
    {
        var all = Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Select(pid => (Pid: pid, Parent: ParentOf(pid), Command: CommandOf(pid)))
            .Where(p => p.Command.Length > 0)
            .ToList();
        var roots = all.Where(p => p.Command.Contains("dcp start-apiserver", StringComparison.Ordinal)
            && p.Command.Contains($"--monitor {appHostPid} ", StringComparison.Ordinal)).Select(p => p.Pid).ToHashSet();
        var found = new HashSet<int>(roots);
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var p in all.Where(p => !found.Contains(p.Pid) && found.Contains(p.Parent)))
            {
                grew |= found.Add(p.Pid);
            }
        }

        return [.. all.Where(p => found.Contains(p.Pid) && OsProcess.IsAlive(p.Pid)).Select(p => (p.Pid, p.Command))];
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/{pid}/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static string CommandOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
