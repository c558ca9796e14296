using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Aspire.Hosting.Testing;
using Byoc.Testing;

namespace Byoc.Bench;

/// <summary>
/// Byoc's app model as <c>dotnet run</c> starts it (Development, so the sandbox plays CXone and Junglebook), with the
/// configuration this bench was built in (Release for <c>bench/run</c>): redis-server, two Conversations replicas, the
/// Junglebook connector, the Edge and the sandbox as real processes under DCP; and the relay beside it.
/// </summary>
public sealed class BenchApp : IAsyncDisposable
{
    public static readonly string[] Resources = ["redis", "conversations", "connector-junglebook", "edge", "sandbox"];

    private readonly string _dataPath = Directory.CreateTempSubdirectory("byoc-bench-").FullName;
    private Process? _relay;

    public DistributedApplication App { get; private set; } = null!;

    public Uri Edge { get; private set; } = null!;

    public Uri Sandbox { get; private set; } = null!;

    public Uri Relay { get; private set; } = null!;

    public string RedisConnectionString { get; private set; } = "";

    public static async Task<BenchApp> StartAsync(bool dashboard, bool perfMap, CancellationToken cancellationToken, Action<IDistributedApplicationTestingBuilder>? configure = null)
    {
        var bench = new BenchApp();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Byoc_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = dashboard },
            ["--environment", "Development", "--AppHost:DataPath", bench._dataPath],
            cancellationToken);
        // The services' console output stays with DCP (and the dashboard, when there is one), not on the bench's console.
        builder.Services.AddLogging(logging => logging.AddFilter("Byoc.AppHost.Resources", LogLevel.Warning).AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        // Replies are measured alone: Junglebook's "delivered" receipt per reply would be a second, inbound load.
        builder.CreateResourceBuilder<ProjectResource>("sandbox").WithEnvironment("Sandbox__Junglebook__DeliveryReceipts", "false");
        // Every request comes from one address; the settings page's per-address limit would answer most with 429.
        builder.CreateResourceBuilder<ProjectResource>("edge").WithEnvironment("Edge__Settings__PermitsPerMinute", "100000");
        if (perfMap)
        {
            // For `perf record`: the JIT writes /tmp/perf-{pid}.map, so samples in managed code get method names.
            foreach (var project in builder.Resources.OfType<ProjectResource>())
            {
                builder.CreateResourceBuilder(project).WithEnvironment("DOTNET_PerfMapEnabled", "1").WithEnvironment("DOTNET_EnableWriteXorExecute", "0");
            }
        }

        configure?.Invoke(builder);
        bench.App = await builder.BuildAsync(cancellationToken);
        await bench.App.StartAsync(cancellationToken);
        foreach (var resource in Resources)
        {
            await bench.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);
        }

        bench.Edge = bench.App.GetEndpoint("edge", "http");
        bench.Sandbox = bench.App.GetEndpoint("sandbox", "http");
        bench.RedisConnectionString = await bench.App.GetConnectionStringAsync("redis", cancellationToken) ?? throw new InvalidOperationException("no Redis connection string");
        await bench.StartRelayAsync(cancellationToken);
        return bench;
    }

    /// <summary>The processes to meter: every service of the model, the relay, redis-server and the bench itself.</summary>
    public static IReadOnlyList<MeteredProcess> Processes()
    {
        var found = ProcessMeter.Find(new Dictionary<string, string>
        {
            ["/Byoc.Edge"] = "Edge",
            ["/Byoc.Conversations"] = "Conversations",
            ["/Byoc.Connectors.Junglebook"] = "connector (Junglebook)",
            ["/Byoc.Sandbox"] = "sandbox (CXone + Junglebook)",
            ["/Byoc.Bench.Relay"] = "relay",
            ["redis-server"] = "redis-server",
            ["/dcp"] = "DCP (orchestrator, proxy in front of the Conversations replicas)",
        });
        return [.. found, new MeteredProcess("load generator (this bench)", Environment.ProcessId)];
    }

    public async ValueTask DisposeAsync()
    {
        if (_relay is { HasExited: false })
        {
            _relay.Kill(entireProcessTree: true);
            await _relay.WaitForExitAsync();
        }

        _relay?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        Directory.Delete(_dataPath, recursive: true);
    }

    private async Task StartRelayAsync(CancellationToken cancellationToken)
    {
        var configuration = typeof(BenchApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
        var executable = Path.Combine(ServiceBuild.RepoRoot, "bench", "Byoc.Bench.Relay", "bin", configuration, "net10.0", "Byoc.Bench.Relay");
        var port = TestProcesses.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Relay__Sandbox"] = Sandbox.ToString(),
            ["Relay__Cxone__AppClientId"] = "byoc-sandbox-app",
            ["Relay__Cxone__AppClientSecret"] = "sandbox-app-secret",
            ["Relay__Cxone__AccessKey"] = "sandbox-access-key",
            ["Relay__Cxone__AccessSecret"] = "sandbox-access-secret==",
        };
        foreach (var profile in Profile.Sandbox)
        {
            environment[$"Relay__Profiles__{profile.Name}__Token"] = profile.Token;
            environment[$"Relay__Profiles__{profile.Name}__WebhookSecret"] = profile.WebhookSecret;
        }

        _relay = await TestProcesses.StartAsync(executable, [], Path.GetDirectoryName(executable)!, environment);
        Relay = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient();
        await Poll.UntilAsync(async () =>
        {
            try
            {
                using var response = await http.GetAsync(Relay, cancellationToken);
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "the relay listens");
    }
}
