using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;

namespace Byoc.AppHost.Orchestration;

/// <summary>An endpoint of one instance, with its port chosen.</summary>
internal sealed record AllocatedEndpoint(string Name, string Scheme, int Port, bool IsExternal, bool IsKestrelConfigured)
{
    public string Url => string.Create(CultureInfo.InvariantCulture, $"{Scheme}://127.0.0.1:{Port}");
}

/// <summary>One process of a resource: a resource with <c>WithReplicas(2)</c> has two.</summary>
internal sealed record InstancePlan(Resource Resource, int Replica, string InstanceName, IReadOnlyList<AllocatedEndpoint> Endpoints)
{
    public AllocatedEndpoint Endpoint(string name) =>
        Endpoints.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"{InstanceName} has no endpoint named '{name}'.");
}

/// <summary>What the environment of a child process depends on besides the app model.</summary>
internal sealed record EnvironmentContext(
    string EnvironmentName, bool ColourConsole = false, string? OtlpEndpoint = null, string? OtlpProtocol = null, string? OtlpHeaders = null);

internal interface IPortAllocator
{
    int Allocate();
}

/// <summary>
/// A free loopback port below Linux's ephemeral range (32768–60999), where the kernel never picks the local port of
/// an outgoing connection: a port planned now is still free when its resource starts seconds later, even while
/// other resources open connections meanwhile.
/// </summary>
internal sealed class LoopbackPortAllocator : IPortAllocator
{
    private const int First = 20000;
    private const int Last = 32000;

    public int Allocate()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(First, Last);
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

        throw new AppHostStartException($"No free loopback port between {First} and {Last}: free some, or set AppHost__RandomizePorts=false and fix the ports.");
    }
}

/// <summary>
/// The app model turned into processes: every instance with its ports, and the exact environment Aspire would give
/// it. Pure apart from the port allocator, so it is unit-tested without starting anything.
/// </summary>
internal sealed class LaunchPlan
{
    private readonly Dictionary<Resource, List<InstancePlan>> _instances = [];

    private LaunchPlan()
    {
    }

    public IEnumerable<InstancePlan> Instances => _instances.Values.SelectMany(i => i);

    public IReadOnlyList<InstancePlan> InstancesOf(Resource resource) => _instances[resource];

    public static LaunchPlan Create(IReadOnlyList<Resource> resources, IPortAllocator ports, bool randomizePorts)
    {
        var plan = new LaunchPlan();
        var taken = new HashSet<int>();
        foreach (var resource in resources)
        {
            var instances = new List<InstancePlan>();
            for (var replica = 0; replica < resource.Replicas; replica++)
            {
                var endpoints = resource.Endpoints.Select(e => new AllocatedEndpoint(
                    e.Name, e.Scheme, PickPort(e, resource), e.IsExternal, e.IsKestrelConfigured)).ToList();
                var name = resource.Replicas == 1 ? resource.Name : $"{resource.Name}-{replica}";
                instances.Add(new InstancePlan(resource, replica, name, endpoints));
            }

            plan._instances[resource] = instances;
        }

        return plan;

        int PickPort(EndpointSpec endpoint, Resource resource)
        {
            if (endpoint.Port is { } fixedPort && !randomizePorts)
            {
                if (resource.Replicas > 1)
                {
                    throw new AppHostStartException($"Resource '{resource.Name}' has {resource.Replicas} replicas, so its endpoint '{endpoint.Name}' cannot have the fixed port {fixedPort}.");
                }

                if (!taken.Add(fixedPort))
                {
                    throw new AppHostStartException($"Port {fixedPort} is given to two endpoints of the app model.");
                }

                return fixedPort;
            }

            int port;
            do
            {
                port = ports.Allocate();
            }
            while (!taken.Add(port));
            return port;
        }
    }

    public string ConnectionStringOf(RedisResource redis) =>
        redis.ExternalConnectionString
        ?? string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{InstancesOf(redis)[0].Endpoint("tcp").Port},password={redis.Password}");

    /// <summary>
    /// The variables Aspire injects into a project: URLs, environment, service discovery, connection strings and
    /// OpenTelemetry settings, then the resource's own <c>WithEnvironment</c> values.
    /// </summary>
    public IReadOnlyDictionary<string, string> BuildEnvironment(InstancePlan instance, EnvironmentContext context)
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = context.EnvironmentName,
            ["DOTNET_ENVIRONMENT"] = context.EnvironmentName,
            ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true",
            ["OTEL_SERVICE_NAME"] = instance.Resource.Name,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instance.InstanceName}",
        };

        if (context.ColourConsole)
        {
            // The AppHost relays output to a terminal: keep the services' log colours.
            env["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "true";
        }

        var urls = instance.Endpoints.Where(e => !e.IsKestrelConfigured && e.Scheme is "http" or "https").Select(e => e.Url).ToList();
        if (urls.Count > 0)
        {
            env["ASPNETCORE_URLS"] = string.Join(';', urls);
        }

        foreach (var endpoint in instance.Endpoints.Where(e => e.IsKestrelConfigured))
        {
            env[$"Kestrel__Endpoints__{endpoint.Name}__Url"] = endpoint.Url;
        }

        if (!string.IsNullOrWhiteSpace(context.OtlpEndpoint))
        {
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = context.OtlpEndpoint;
            env["OTEL_EXPORTER_OTLP_PROTOCOL"] = string.IsNullOrWhiteSpace(context.OtlpProtocol) ? "grpc" : context.OtlpProtocol;
            if (!string.IsNullOrWhiteSpace(context.OtlpHeaders))
            {
                env["OTEL_EXPORTER_OTLP_HEADERS"] = context.OtlpHeaders;
            }

            // Aspire's choices for a local collector: export fast, sample everything.
            env["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
            env["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
            env["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
            env["OTEL_TRACES_SAMPLER"] = "always_on";
            env["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based";
            env["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true";
            env["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true";
            env["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory";
        }

        foreach (var reference in instance.Resource.References)
        {
            if (reference is RedisResource redis)
            {
                env[$"ConnectionStrings__{redis.Name}"] = ConnectionStringOf(redis);
                continue;
            }

            // Every replica is listed; configuration-based service discovery spreads calls over them.
            var replicas = InstancesOf(reference);
            foreach (var endpointName in reference.Endpoints.Select(e => e.Name))
            {
                for (var i = 0; i < replicas.Count; i++)
                {
                    env[string.Create(CultureInfo.InvariantCulture, $"services__{reference.Name}__{endpointName}__{i}")] = replicas[i].Endpoint(endpointName).Url;
                }
            }
        }

        foreach (var (key, value) in instance.Resource.Environment)
        {
            env[key] = value;
        }

        return env;
    }
}
