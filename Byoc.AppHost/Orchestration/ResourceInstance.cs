using System.ComponentModel;
using System.Diagnostics;

namespace Byoc.AppHost.Orchestration;

internal enum InstanceState
{
    Waiting,
    Starting,
    Running,
    Restarting,
    Stopping,
    Stopped,
    FailedToStart,
}

internal enum InstanceHealth
{
    Unknown,
    Healthy,
    Unhealthy,
}

/// <summary>
/// Supervises one process of a resource: starts it, probes its health, restarts it with backoff when it exits
/// unbidden (counting restarts), and stops it with SIGTERM, then SIGKILL after the stop timeout.
/// An instance without a <see cref="ProcessSpec"/> is external (an existing Redis): it is only probed.
/// </summary>
internal sealed class ResourceInstance(
    InstancePlan plan,
    ProcessSpec? spec,
    IHealthProbe probe,
    ChildProcessLauncher launcher,
    ConsoleLog log,
    RestartBackoff backoff,
    TimeProvider time) : IAsyncDisposable
{
    private static readonly TimeSpan ProbeWhileStarting = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ProbeWhileRunning = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstHealthy = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;
    private Task _supervision = Task.CompletedTask;

    public InstancePlan Plan { get; } = plan;
    public InstanceState State { get; private set; } = InstanceState.Waiting;
    public InstanceHealth Health { get; private set; } = InstanceHealth.Unknown;
    public int Restarts { get; private set; }
    public int? LastExitCode { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;
    public bool IsExternal => spec is null;

    /// <summary>Completes the first time the instance passes its health check; faults if it cannot start at all.</summary>
    public Task FirstHealthy => _firstHealthy.Task;

    public void Start() => _supervision = Task.Run(SuperviseAsync);

    public async Task StopAsync(TimeSpan timeout)
    {
        if (State is InstanceState.Stopped or InstanceState.FailedToStart)
        {
            return;
        }

        State = InstanceState.Stopping;
        await _stopping.CancelAsync();
        // Supervision ends promptly once cancelled; only then is the process it may have just started known.
        await _supervision;
        var process = _process;
        if (process is not null && !process.HasExited)
        {
            ChildProcessLauncher.Terminate(process);
            using var grace = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                log.Write(Plan.InstanceName, $"did not stop within {timeout.TotalSeconds:0} s of SIGTERM; killing it");
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        State = InstanceState.Stopped;
        _firstHealthy.TrySetCanceled();
    }

    public async ValueTask DisposeAsync()
    {
        await probe.DisposeAsync();
        _process?.Dispose();
        _stopping.Dispose();
    }

    private async Task SuperviseAsync()
    {
        var crashesInARow = 0;
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            if (spec is null)
            {
                State = InstanceState.Starting;
                await ProbeUntilStoppedAsync(exited: Task.Delay(Timeout.Infinite, stopping), stopping);
                return;
            }

            try
            {
                State = InstanceState.Starting;
                _process = await launcher.StartAsync(spec, line => log.Write(Plan.InstanceName, line));
                StartedAt = time.GetUtcNow();
            }
            catch (Exception e) when (e is Win32Exception or FileNotFoundException or InvalidOperationException)
            {
                State = InstanceState.FailedToStart;
                log.Write(Plan.InstanceName, $"failed to start: {e.Message}");
                _firstHealthy.TrySetException(new AppHostStartException($"{Plan.InstanceName} failed to start: {e.Message}"));
                return;
            }

            var exited = _process.WaitForExitAsync(CancellationToken.None);
            await ProbeUntilStoppedAsync(exited, stopping);
            if (stopping.IsCancellationRequested)
            {
                return;
            }

            LastExitCode = _process.ExitCode;
            Restarts++;
            Health = InstanceHealth.Unknown;
            crashesInARow = backoff.NextCrashCount(crashesInARow, time.GetUtcNow() - StartedAt!.Value);
            var delay = backoff.DelayFor(crashesInARow);
            State = InstanceState.Restarting;
            log.Write(Plan.InstanceName, $"exited with code {LastExitCode}; restart {Restarts} in {delay.TotalSeconds:0.0} s");
            try
            {
                await Task.Delay(delay, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Probes quickly until the first success, then slowly, until the process exits or stop is asked.</summary>
    private async Task ProbeUntilStoppedAsync(Task exited, CancellationToken stopping)
    {
        while (!exited.IsCompleted && !stopping.IsCancellationRequested)
        {
            bool healthy;
            try
            {
                healthy = await probe.IsHealthyAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            if (exited.IsCompleted)
            {
                return;
            }

            Health = healthy ? InstanceHealth.Healthy : (Health == InstanceHealth.Unknown ? InstanceHealth.Unknown : InstanceHealth.Unhealthy);
            if (healthy && State == InstanceState.Starting)
            {
                State = InstanceState.Running;
                _firstHealthy.TrySetResult();
            }

            var pause = State == InstanceState.Running ? ProbeWhileRunning : ProbeWhileStarting;
            await Task.WhenAny(exited, Task.Delay(pause, time, stopping));
        }
    }
}
