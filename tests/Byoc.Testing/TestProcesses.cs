using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Byoc.Testing;

/// <summary>
/// Starts the processes tests need so that a test run killed by a timeout or a crash leaves no redis-server or
/// service behind: each child starts through <c>setsid</c> and <c>setpriv --pdeathsig KILL</c>, so the kernel ends it
/// when the test host dies. Linux ties the parent-death signal to the thread that forked the child, so every start
/// happens on one thread that lives as long as the test host.
/// </summary>
public static class TestProcesses
{
    private static readonly BlockingCollection<(ProcessStartInfo Info, Action<string> OnOutputLine, TaskCompletionSource<Process> Started)> Requests = [];
    private static readonly string? Setsid = Find("setsid");
    private static readonly string? Setpriv = Find("setpriv");

    static TestProcesses()
    {
        new Thread(StartRequestedProcesses) { IsBackground = true, Name = "Test process launcher" }.Start();
    }

    /// <summary>
    /// A free loopback port below Linux's ephemeral range (32768–60999), where the kernel never picks the local port
    /// of an outgoing connection: a port chosen now is still free when its process starts a moment later.
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }

        throw new InvalidOperationException("No free loopback port between 20000 and 32000.");
    }

    /// <summary>The dotnet host running the tests, so that children run on the same runtime.</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Find("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH.");

    /// <param name="onOutputLine">Receives every line of standard output and error; without it they are drained.</param>
    public static Task<Process> StartAsync(
        string fileName, IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment, Action<string>? onOutputLine = null)
    {
        var info = new ProcessStartInfo
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (Setsid is not null && Setpriv is not null)
        {
            info.FileName = Setsid;
            foreach (var argument in new[] { Setpriv, "--pdeathsig", "KILL", "--", fileName })
            {
                info.ArgumentList.Add(argument);
            }
        }
        else
        {
            info.FileName = fileName;
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // A test host started by `dotnet test` carries settings of its own that a service must not take.
        foreach (var name in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_LAUNCH_PROFILE" })
        {
            info.Environment.Remove(name);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((info, onOutputLine ?? (_ => { }), started));
        return started.Task;
    }

    private static void StartRequestedProcesses()
    {
        foreach (var (info, onOutputLine, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                // Always read, so a chatty child never blocks on a full pipe.
                var process = new Process { StartInfo = info, EnableRaisingEvents = true };
                process.OutputDataReceived += (_, e) => { if (e.Data is not null) onOutputLine(e.Data); };
                process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onOutputLine(e.Data); };
                process.Start();
                process.StandardInput.Close();
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                started.SetResult(process);
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }

    private static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
