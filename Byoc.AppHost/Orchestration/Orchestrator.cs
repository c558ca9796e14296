using System.Globalization;
using System.Text;
using Aspire.Hosting;
using Microsoft.Extensions.Configuration;

namespace Byoc.AppHost.Orchestration;

/// <summary>
/// Runs the app model: Redis and every project as child processes on loopback ports, started in WaitFor order
/// once their dependencies are healthy, watched and restarted, and stopped in reverse order.
/// </summary>
internal sealed class Orchestrator : IAsyncDisposable
{
    private const string Source = "apphost";

    private readonly IReadOnlyList<Resource> _resources;
    private readonly AppHostOptions _options;
    private readonly string _environmentName;
    private readonly IConfiguration _configuration;
    private readonly bool _isUnderTest;
    private readonly ConsoleLog _log = ConsoleLog.ForConsole();
    private readonly ChildProcessLauncher _launcher = new();
    private readonly HttpClient _probeClient = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly Dictionary<Resource, List<ResourceInstance>> _instances = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _starts = [];
    private IReadOnlyList<IReadOnlyList<Resource>> _levels = [];
    private LaunchPlan? _plan;
    private StatusPage? _statusPage;
    private FileStream? _dataLock;
    private int _started;
    private int _stopped;

    public Orchestrator(IReadOnlyList<Resource> resources, AppHostOptions options, string environmentName, IConfiguration configuration, bool isUnderTest)
    {
        _resources = resources;
        _options = options;
        _environmentName = environmentName;
        _configuration = configuration;
        _isUnderTest = isUnderTest;
    }

    public Uri? StatusPageUrl => _statusPage?.Url;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The application was already started.");
        }

        _levels = StartOrder.Levels(_resources);
        var redisServer = _resources.OfType<RedisResource>().Any(r => r.ExternalConnectionString is null)
            ? RedisServer.Locate(Environment.GetEnvironmentVariable("PATH"))
            : null;
        var dataRoot = _options.ResolveDataPath();
        LockDataFolder(dataRoot);

        _plan = LaunchPlan.Create(_resources, new LoopbackPortAllocator(), _options.RandomizePorts || _isUnderTest);
        var context = new EnvironmentContext(
            _environmentName,
            _log.IsColoured,
            _configuration["OTEL_EXPORTER_OTLP_ENDPOINT"],
            _configuration["OTEL_EXPORTER_OTLP_PROTOCOL"],
            _configuration["OTEL_EXPORTER_OTLP_HEADERS"]);
        var dotnet = _resources.OfType<ProjectResource>().Any() ? ExecutableLookup.DotnetHost() : null;

        foreach (var resource in _resources)
        {
            _instances[resource] = [.. _plan.InstancesOf(resource).Select(instance => CreateInstance(instance, context, dotnet, redisServer, dataRoot))];
        }

        if (!_launcher.GuardsAgainstOrphans)
        {
            _log.Write(Source, "setsid or setpriv (util-linux) is missing: resources will not be stopped if the AppHost is killed.");
        }

        var statusUrl = _isUnderTest && !string.IsNullOrWhiteSpace(_options.StatusUrl) ? "http://127.0.0.1:0" : _options.StatusUrl;
        if (!string.IsNullOrWhiteSpace(statusUrl))
        {
            _statusPage = await StatusPage.StartAsync(statusUrl, Snapshot, _log, cancellationToken);
        }

        foreach (var resource in _resources)
        {
            _starts.Add(StartWhenDependenciesHealthyAsync(resource, _stopping.Token));
        }
    }

    public async Task WaitForResourceHealthyAsync(string resourceName, CancellationToken cancellationToken)
    {
        var resource = _resources.FirstOrDefault(r => string.Equals(r.Name, resourceName, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"The app model has no resource named '{resourceName}'.", nameof(resourceName));
        await WhenHealthy(resource).WaitAsync(cancellationToken);
    }

    /// <summary>Prints the resource table once everything is up.</summary>
    public async Task AnnounceWhenAllHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_resources.Select(WhenHealthy)).WaitAsync(cancellationToken);
            _log.WriteBlock(FormatTable(Snapshot(), _statusPage?.Url));
        }
        catch (Exception e) when (e is OperationCanceledException or AppHostStartException)
        {
            // Stopping, or a resource could not start (already reported in its log).
        }
    }

    public Uri GetEndpoint(string resourceName, string endpointName)
    {
        var instance = InstancesOf(resourceName)[0];
        return new Uri(instance.Plan.Endpoint(endpointName).Url);
    }

    public string? GetConnectionString(string resourceName) =>
        _resources.FirstOrDefault(r => r.Name == resourceName) is RedisResource redis && _plan is not null ? _plan.ConnectionStringOf(redis) : null;

    public IReadOnlyList<ResourceSnapshot> Snapshot() =>
        [.. _instances.Values.SelectMany(i => i).Select(i => new ResourceSnapshot(
            i.Plan.InstanceName,
            i.Plan.Resource.Name,
            i.Plan.Resource switch { RedisResource => "Redis", ProjectResource => "Project", _ => "Resource" },
            i.State.ToString(),
            i.Health.ToString(),
            i.Restarts,
            i.ProcessId,
            i.LastExitCode,
            [.. i.Plan.Endpoints.Select(e => new EndpointSnapshot(e.Name, e.Url, e.IsExternal))],
            [.. i.Plan.Resource.Urls.Select(u => new LinkSnapshot(
                u.Url.Url.Contains("://", StringComparison.Ordinal) ? u.Url.Url : new Uri(new Uri(i.Plan.Endpoint(u.EndpointName).Url), u.Url.Url).ToString(),
                u.Url.DisplayText ?? u.Url.Url))]))];

    public IReadOnlyList<string> LogLines(string instanceName) => _log.Lines(instanceName);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _started) == 0 || Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        // Dependents first, so nothing loses its Redis or Conversations while it is still serving.
        foreach (var level in _levels.Reverse())
        {
            await Task.WhenAll(level.SelectMany(r => _instances.GetValueOrDefault(r) ?? []).Select(i => i.StopAsync(_options.StopTimeout)));
        }

        await Task.WhenAll(_starts).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        _log.Write(Source, "all resources stopped");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        foreach (var instance in _instances.Values.SelectMany(i => i))
        {
            await instance.DisposeAsync();
        }

        if (_statusPage is not null)
        {
            await _statusPage.DisposeAsync();
            _statusPage = null;
        }

        _launcher.Dispose();
        _probeClient.Dispose();
        _stopping.Dispose();
        if (_dataLock is not null)
        {
            await _dataLock.DisposeAsync();
            _dataLock = null;
        }
    }

    internal static string FormatTable(IReadOnlyList<ResourceSnapshot> snapshots, Uri? statusPage)
    {
        var rows = snapshots.Select(s => new[]
        {
            s.Name, s.State, s.Health, s.Restarts.ToString(CultureInfo.InvariantCulture),
            s.ProcessId?.ToString(CultureInfo.InvariantCulture) ?? "-",
            string.Join("  ", s.Endpoints.Select(e => e.IsExternal ? $"{e.Url} (external)" : e.Name == "http" || e.Name == "tcp" ? e.Url : $"{e.Name}: {e.Url}")),
        }).Prepend(["RESOURCE", "STATE", "HEALTH", "RESTARTS", "PID", "ENDPOINTS"]).ToList();
        var widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length) + 2).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (var c = 0; c < 5; c++)
            {
                text.Append(row[c].PadRight(widths[c]));
            }

            text.AppendLine(row[5]);
        }

        var links = snapshots.SelectMany(s => s.Links).DistinctBy(l => l.Url).ToList();
        if (links.Count > 0)
        {
            var width = links.Max(l => l.DisplayText.Length) + 2;
            text.AppendLine().AppendLine("Try it:");
            foreach (var link in links)
            {
                text.Append("  ").Append(link.DisplayText.PadRight(width)).AppendLine(link.Url);
            }

            text.AppendLine();
        }

        if (statusPage is not null)
        {
            text.Append("Status page: ").Append(statusPage).AppendLine();
        }

        return text.ToString();
    }

    private ResourceInstance CreateInstance(InstancePlan instance, EnvironmentContext context, string? dotnet, string? redisServer, string dataRoot)
    {
        _log.Register(instance.InstanceName);
        ProcessSpec? spec;
        IHealthProbe probe;
        switch (instance.Resource)
        {
            case RedisResource { ExternalConnectionString: { } external }:
                spec = null;
                probe = new RedisHealthProbe(external);
                break;
            case RedisResource redis:
                spec = RedisServer.Prepare(redis, instance.Endpoint("tcp").Port, redisServer!, dataRoot);
                probe = new RedisHealthProbe(_plan!.ConnectionStringOf(redis));
                break;
            case ProjectResource project:
                spec = new ProcessSpec(
                    dotnet!,
                    [project.Project.TargetPath],
                    Path.GetDirectoryName(project.Project.ProjectPath)!,
                    _plan!.BuildEnvironment(instance, context));
                probe = project.HttpHealthCheck is { } check
                    ? new HttpHealthProbe(_probeClient, new Uri(new Uri(instance.Endpoint(check.EndpointName).Url), check.Path), check.StatusCode)
                    : new RunningIsHealthy();
                break;
            default:
                throw new NotSupportedException($"Resource '{instance.Resource.Name}' is of a kind this AppHost cannot run.");
        }

        return new ResourceInstance(instance, spec, probe, _launcher, _log, RestartBackoff.Default, TimeProvider.System);
    }

    private async Task StartWhenDependenciesHealthyAsync(Resource resource, CancellationToken stopping)
    {
        try
        {
            await Task.WhenAll(resource.WaitsFor.Select(WhenHealthy)).WaitAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (AppHostStartException e)
        {
            _log.Write(resource.Name, $"not started: {e.Message}");
            return;
        }

        foreach (var instance in _instances[resource])
        {
            instance.Start();
        }
    }

    private Task WhenHealthy(Resource resource) => Task.WhenAll(_instances[resource].Select(i => i.FirstHealthy));

    private List<ResourceInstance> InstancesOf(string resourceName) =>
        _instances.FirstOrDefault(p => string.Equals(p.Key.Name, resourceName, StringComparison.OrdinalIgnoreCase)).Value
        ?? throw new ArgumentException($"The app model has no resource named '{resourceName}'.", nameof(resourceName));

    // Two AppHosts on one data folder would run two Redis servers on one append-only file.
    private void LockDataFolder(string dataRoot)
    {
        Directory.CreateDirectory(dataRoot);
        try
        {
            _dataLock = new FileStream(Path.Combine(dataRoot, "apphost.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new AppHostStartException($"Another Byoc AppHost is running on the data folder {dataRoot}: stop it, or give this one its own folder with AppHost__DataPath.");
        }
    }
}
