using System.Runtime.InteropServices;
using Byoc.AppHost.Orchestration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

/// <summary>The app model, built: started, watched and stopped by the AppHost's orchestrator.</summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly Orchestrator _orchestrator;
    private readonly bool _isUnderTest;
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal DistributedApplication(IReadOnlyList<Resource> resources, IConfiguration configuration, IHostEnvironment environment, bool isUnderTest)
    {
        _isUnderTest = isUnderTest;
        var options = AppHostOptions.Bind(configuration);
        _orchestrator = new Orchestrator(resources, options, environment.EnvironmentName, configuration, isUnderTest);
    }

    public static IDistributedApplicationBuilder CreateBuilder(string[] args)
    {
        var hook = DistributedApplicationTestingBuilder.Current;
        return new DistributedApplicationBuilder(hook is null ? args : [.. args, .. hook.Args], hook);
    }

    /// <summary>Runs until Ctrl+C or SIGTERM, then stops every resource. Under a test, waits until the test disposes the app.</summary>
    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (_isUnderTest)
        {
            await _disposed.Task.WaitAsync(cancellationToken);
            return;
        }

        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            await StartAsync(shutdown.Token);
            _ = _orchestrator.AnnounceWhenAllHealthyAsync(shutdown.Token);
            await Task.Delay(Timeout.Infinite, shutdown.Token);
        }
        catch (AppHostStartException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            Environment.ExitCode = 1;
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: fall through to the orderly stop.
        }
        finally
        {
            await StopAsync(CancellationToken.None);
            await _orchestrator.DisposeAsync();
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            shutdown.Cancel();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => _orchestrator.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => _orchestrator.StopAsync(cancellationToken);

    /// <summary>Completes when every replica of the resource is running and passes its health check.</summary>
    public Task WaitForResourceHealthyAsync(string resourceName, CancellationToken cancellationToken = default)
        => _orchestrator.WaitForResourceHealthyAsync(resourceName, cancellationToken);

    /// <summary>The URL of a resource's endpoint (its first replica's).</summary>
    public Uri GetEndpoint(string resourceName, string endpointName = "http") => _orchestrator.GetEndpoint(resourceName, endpointName);

    public string? GetConnectionString(string resourceName) => _orchestrator.GetConnectionString(resourceName);

    /// <summary>Every running instance with its state, health, restarts, process id and endpoints.</summary>
    public IReadOnlyList<ResourceSnapshot> GetResourceSnapshots() => _orchestrator.Snapshot();

    /// <summary>Where the status page listens.</summary>
    public Uri? StatusPageUrl => _orchestrator.StatusPageUrl;

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        await _orchestrator.DisposeAsync();
        _disposed.TrySetResult();
    }
}
