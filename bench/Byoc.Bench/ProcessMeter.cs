using System.Globalization;

namespace Byoc.Bench;

/// <summary>One process of the run, found by its executable: a Byoc service, the relay, the sandbox, redis-server, the bench.</summary>
public sealed record MeteredProcess(string Name, int Pid);

/// <summary>What a process used during one phase: its highest resident set and the CPU time it spent.</summary>
public sealed record ProcessUse(string Name, long PeakRssBytes, TimeSpan Cpu);

/// <summary>
/// Samples RSS (<c>/proc/{pid}/status</c>, VmRSS) every 250 ms and CPU time (<c>/proc/{pid}/stat</c>, utime + stime)
/// at the phase's start and end, for every process of the run.
/// </summary>
public sealed class ProcessMeter : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly IReadOnlyList<MeteredProcess> _processes;
    private readonly Dictionary<int, long> _peak = [];
    private readonly Dictionary<int, long> _cpuAtStart;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    private ProcessMeter(IReadOnlyList<MeteredProcess> processes)
    {
        _processes = processes;
        _cpuAtStart = processes.ToDictionary(p => p.Pid, p => CpuTicks(p.Pid));
        _sampling = Task.Run(SampleAsync);
    }

    public static ProcessMeter Start(IReadOnlyList<MeteredProcess> processes) => new(processes);

    /// <summary>Processes whose executable path (the first word of their command line) ends with one of <paramref name="executables"/>.</summary>
    public static IReadOnlyList<MeteredProcess> Find(IReadOnlyDictionary<string, string> executables)
    {
        var found = new List<MeteredProcess>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string command;
            try
            {
                command = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0')[0];
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var (suffix, name) in executables)
            {
                if (command.EndsWith(suffix, StringComparison.Ordinal))
                {
                    // Replicas are told apart; DCP's many processes (API server, controllers and proxies, a monitor per
                    // process) count as one.
                    var numbered = !name.StartsWith("DCP", StringComparison.Ordinal) && found.Count(f => f.Name == name || f.Name.StartsWith(name + " #", StringComparison.Ordinal)) is var n and > 0 ? $"{name} #{n + 1}" : name;
                    found.Add(new MeteredProcess(numbered, pid));
                }
            }
        }

        return found;
    }

    public async Task<IReadOnlyList<ProcessUse>> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        Sample();
        return [.. _processes.Select(p => new ProcessUse(p.Name, _peak.GetValueOrDefault(p.Pid), TimeSpan.FromSeconds((CpuTicks(p.Pid) - _cpuAtStart[p.Pid]) / TicksPerSecond)))
            .GroupBy(u => u.Name)
            .Select(g => new ProcessUse(g.Key, g.Sum(u => u.PeakRssBytes), TimeSpan.FromTicks(g.Sum(u => u.Cpu.Ticks))))];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Sample()
    {
        foreach (var process in _processes)
        {
            var rss = RssBytes(process.Pid);
            lock (_peak)
            {
                _peak[process.Pid] = Math.Max(_peak.GetValueOrDefault(process.Pid), rss);
            }
        }
    }

    private static long RssBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static long CpuTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may hold spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
