extern alias apphost;

using System.Diagnostics;
using apphost::Byoc.AppHost.Orchestration;

namespace Byoc.Testing;

/// <summary>
/// Starts the processes tests need through the AppHost's own launcher (setsid + parent-death signal from one
/// long-lived thread), so a test run killed by a timeout or a crash leaves no redis-server or service behind.
/// </summary>
public static class TestProcesses
{
    private static readonly ChildProcessLauncher Launcher = new();
    private static readonly LoopbackPortAllocator Ports = new();

    public static int FreePort() => Ports.Allocate();

    public static string DotnetHost() => ExecutableLookup.DotnetHost();

    public static Task<Process> StartAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment) =>
        Launcher.StartAsync(new ProcessSpec(fileName, arguments, workingDirectory, environment), _ => { });
}
