using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Byoc.AppHost.Orchestration;

/// <summary>What to run for one instance.</summary>
internal sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// Starts child processes so that none outlives the AppHost, even one killed with SIGKILL: each child is started
/// through <c>setsid</c> (its own session, so a terminal's Ctrl+C reaches only the AppHost, which stops children
/// in order) and <c>setpriv --pdeathsig TERM</c> (the kernel sends SIGTERM when its parent dies). Linux ties the
/// parent-death signal to the thread that forked the child, so every start happens on one thread that lives as
/// long as the AppHost.
/// </summary>
internal sealed partial class ChildProcessLauncher : IDisposable
{
    private const int Sigterm = 15;

    // Settings a child must not inherit from the AppHost's own environment: the plan sets its own.
    private static readonly string[] NotInherited = ["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS", "DOTNET_LAUNCH_PROFILE"];

    private readonly BlockingCollection<Request> _requests = [];
    private readonly Thread _thread;
    private readonly string? _setsid;
    private readonly string? _setpriv;

    public ChildProcessLauncher()
    {
        var path = Environment.GetEnvironmentVariable("PATH");
        _setsid = ExecutableLookup.Find("setsid", path);
        _setpriv = ExecutableLookup.Find("setpriv", path);
        _thread = new Thread(StartRequestedProcesses) { IsBackground = true, Name = "Child process launcher" };
        _thread.Start();
    }

    /// <summary>False where setsid/setpriv are missing: children then die with the AppHost only when it stops normally.</summary>
    public bool GuardsAgainstOrphans => _setsid is not null && _setpriv is not null;

    public Task<Process> StartAsync(ProcessSpec spec, Action<string> onOutputLine)
    {
        var request = new Request(spec, onOutputLine, new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously));
        _requests.Add(request);
        return request.Started.Task;
    }

    /// <summary>Asks a process to stop (SIGTERM), as a terminal or an orchestrator would.</summary>
    public static void Terminate(Process process)
    {
        if (!process.HasExited)
        {
            _ = SendSignal(process.Id, Sigterm);
        }
    }

    public void Dispose() => _requests.CompleteAdding();

    private void StartRequestedProcesses()
    {
        foreach (var request in _requests.GetConsumingEnumerable())
        {
            try
            {
                request.Started.SetResult(Start(request.Spec, request.OnOutputLine));
            }
            catch (Exception e)
            {
                request.Started.SetException(e);
            }
        }

        // Parked, not ended: the children's parent-death signal fires when this thread ends.
        Thread.Sleep(Timeout.Infinite);
    }

    private Process Start(ProcessSpec spec, Action<string> onOutputLine)
    {
        if (!File.Exists(spec.FileName))
        {
            throw new FileNotFoundException($"'{spec.FileName}' does not exist.", spec.FileName);
        }

        var info = new ProcessStartInfo
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };

        if (GuardsAgainstOrphans)
        {
            info.FileName = _setsid!;
            info.ArgumentList.Add(_setpriv!);
            info.ArgumentList.Add("--pdeathsig");
            info.ArgumentList.Add("TERM");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(spec.FileName);
        }
        else
        {
            info.FileName = spec.FileName;
        }

        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in NotInherited)
        {
            info.Environment.Remove(name);
        }

        foreach (var (key, value) in spec.Environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) onOutputLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onOutputLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    private sealed record Request(ProcessSpec Spec, Action<string> OnOutputLine, TaskCompletionSource<Process> Started);
}

internal static class ExecutableLookup
{
    /// <summary>The full path of <paramref name="name"/> in the directories of <paramref name="path"/>, or null.</summary>
    public static string? Find(string name, string? path)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : null;
        }

        foreach (var directory in (path ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The dotnet host that runs the AppHost, so children run on the same runtime.</summary>
    public static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return Find("dotnet", Environment.GetEnvironmentVariable("PATH"))
            ?? throw new AppHostStartException("The dotnet host was not found: put the .NET SDK's dotnet on PATH.");
    }
}
