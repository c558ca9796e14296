using System.Collections.Concurrent;
using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Byoc.Bench;

/// <summary>One running instance of a resource of the app model (a replica has its own id, e.g. <c>conversations-abcd1234</c>).</summary>
public sealed record ResourceInstance(string Name, string Id, int? Pid, string? State, bool Healthy);

/// <summary>
/// The app model's processes as DCP runs them: which instance has which process, <c>kill -9</c> of one, and its
/// restart through Aspire's own resource command (<see cref="KnownResourceCommands.StartCommand"/>, what the
/// dashboard's Start button runs), waiting until the new process is healthy.
/// </summary>
public sealed class AppResources : IAsyncDisposable
{
    private readonly DistributedApplication _app;
    private readonly ConcurrentDictionary<string, ResourceEvent> _latest = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;

    public AppResources(DistributedApplication app)
    {
        _app = app;
        _watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var resourceEvent in app.ResourceNotifications.WatchAsync(_stop.Token))
                {
                    _latest[resourceEvent.ResourceId] = resourceEvent;
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Disposed.
            }
        });
    }

    /// <summary>
    /// The error lines (and the exception lines after them) a resource's instances logged from now on, up to
    /// <paramref name="max"/>: what answered a 500 is in there.
    /// </summary>
    public IReadOnlyList<string> WatchErrors(string name, int max = 60)
    {
        var lines = new ConcurrentQueue<string>();
        var loggers = _app.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var instance in Instances(name))
        {
            _ = Task.Run(async () =>
            {
                var following = 0;
                try
                {
                    await foreach (var batch in loggers.WatchAsync(instance.Id).WithCancellation(_stop.Token))
                    {
                        foreach (var line in batch)
                        {
                            // Aspire asks the services for colours: "fail" comes wrapped in ANSI escapes.
                            var content = System.Text.RegularExpressions.Regex.Replace(line.Content, "\x1B\\[[0-9;]*m", string.Empty);
                            following = content.Contains("fail:", StringComparison.Ordinal) || content.Contains("crit:", StringComparison.Ordinal) || content.Contains("Unhandled exception", StringComparison.Ordinal) ? 12 : following - 1;
                            if (following > 0 && lines.Count < max)
                            {
                                lines.Enqueue($"{instance.Id}: {content}");
                            }
                        }
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    // Disposed.
                }
            });
        }

        return new LiveList(lines);
    }

    private sealed class LiveList(ConcurrentQueue<string> lines) : IReadOnlyList<string>
    {
        public string this[int index] => lines.ElementAt(index);

        public int Count => lines.Count;

        public IEnumerator<string> GetEnumerator() => lines.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>The instances of resource <paramref name="name"/> (two for the Conversations replicas), by id.</summary>
    public IReadOnlyList<ResourceInstance> Instances(string name) =>
        [.. _latest.Values.Where(e => e.Resource.Name == name).OrderBy(e => e.ResourceId, StringComparer.Ordinal).Select(Describe)];

    /// <summary>Waits until <paramref name="name"/> has <paramref name="count"/> instances running with a process.</summary>
    public async Task<IReadOnlyList<ResourceInstance>> RunningAsync(string name, int count, TimeSpan timeout)
    {
        var until = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var running = Instances(name).Where(i => i.Pid is not null && i.State == KnownResourceStates.Running).ToList();
            if (running.Count >= count)
            {
                return running;
            }

            if (DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"{name}: {running.Count} of {count} instances running");
            }

            await Task.Delay(100);
        }
    }

    /// <summary><c>kill -9</c> of the instance's process: no shutdown, nothing handed back.</summary>
    public static void Kill(ResourceInstance instance)
    {
        using var process = Process.GetProcessById(instance.Pid ?? throw new InvalidOperationException($"{instance.Id} has no process"));
        process.Kill(); // SIGKILL on Linux.
        process.WaitForExit(10_000);
    }

    /// <summary>
    /// Starts a killed instance again with Aspire's start command, once DCP has seen it exit, and waits until a new
    /// process of it is running and healthy. Returns the new instance.
    /// </summary>
    public async Task<ResourceInstance> StartAgainAsync(ResourceInstance killed, TimeSpan timeout)
    {
        var until = DateTimeOffset.UtcNow + timeout;
        // The command is refused while DCP still shows the instance running (it has not noticed the exit yet).
        while (true)
        {
            var result = await _app.ResourceCommands.ExecuteCommandAsync(killed.Id, KnownResourceCommands.StartCommand);
            if (result.Success)
            {
                break;
            }

            if (DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"{killed.Id} could not be started again: {result.Message}");
            }

            await Task.Delay(200);
        }

        while (true)
        {
            if (_latest.TryGetValue(killed.Id, out var now) && Describe(now) is { Pid: { } pid, Healthy: true } started && started.State == KnownResourceStates.Running && pid != killed.Pid)
            {
                return started;
            }

            if (DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"{killed.Id} was started again but is not healthy ({(now is null ? "no state" : Describe(now))})");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching;
        _stop.Dispose();
    }

    private static ResourceInstance Describe(ResourceEvent e)
    {
        var pid = e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value switch
        {
            int i => i,
            long l => (int)l,
            string s when int.TryParse(s, out var parsed) => parsed,
            _ => (int?)null,
        };
        return new ResourceInstance(e.Resource.Name, e.ResourceId, pid, e.Snapshot.State?.Text, e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy);
    }
}
