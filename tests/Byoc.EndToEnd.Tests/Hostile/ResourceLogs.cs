using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Byoc.Bench;
using Byoc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Byoc.EndToEnd.Tests.Hostile;

/// <summary>The log lines of the product's resources (each replica by its own id) while the test runs, and all DCP kept.</summary>
public sealed class ResourceLogs : IAsyncDisposable
{
    private readonly DistributedApplication _app;
    private readonly ConcurrentDictionary<(string Resource, int Line), string> _lines = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _watching = [];
    private readonly List<string> _ids = [];

    private ResourceLogs(DistributedApplication app) => _app = app;

    public static async Task<ResourceLogs> WatchAsync(DistributedApplication app, string[] resources)
    {
        var logs = new ResourceLogs(app);
        await using var instances = new AppResources(app);
        await Poll.UntilAsync(() => Task.FromResult(resources.All(r => instances.Instances(r).Count > 0) && instances.Instances("conversations").Count >= 2),
            TimeSpan.FromSeconds(30), "every product resource is known");
        var service = app.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var id in resources.SelectMany(r => instances.Instances(r)).Select(i => i.Id))
        {
            logs._ids.Add(id);
            logs._watching.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var batch in service.WatchAsync(id).WithCancellation(logs._stop.Token))
                    {
                        foreach (var line in batch)
                        {
                            logs._lines[(id, line.LineNumber)] = line.Content;
                        }
                    }
                }
                catch (OperationCanceledException) when (logs._stop.IsCancellationRequested)
                {
                    // Disposed.
                }
            }));
        }

        return logs;
    }

    public async Task<List<(string Resource, string Line)>> LinesAsync()
    {
        var service = _app.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var id in _ids)
        {
            await foreach (var batch in service.GetAllAsync(id))
            {
                foreach (var line in batch)
                {
                    _lines.TryAdd((id, line.LineNumber), line.Content);
                }
            }
        }

        return [.. _lines.Select(l => (l.Key.Resource, l.Value))];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_watching);
        _stop.Dispose();
    }
}
