using Byoc.AppHost.Orchestration;

namespace Byoc.AppHost.Tests;

public sealed class LaunchPlanTests : IDisposable
{
    private const string GrpcServiceSettings = """
        { "Kestrel": { "Endpoints": { "http": { "Url": "http://127.0.0.1:1", "Protocols": "Http2" },
                                      "health": { "Url": "http://127.0.0.1:2", "Protocols": "Http1" } } } }
        """;

    private readonly TestProject _grpcService = new("Grpc.Service", GrpcServiceSettings);
    private readonly TestProject _webService = new("Web.Service");
    private readonly IDistributedApplicationBuilder _builder = DistributedApplication.CreateBuilder([]);

    public void Dispose()
    {
        _grpcService.Dispose();
        _webService.Dispose();
    }

    [Fact]
    public void A_caller_is_given_every_replica_of_the_service_it_references_under_each_endpoint_name()
    {
        var (_, conversations, edge) = TypicalModel();

        var plan = LaunchPlan.Create(_builder.Resources, new SequentialPorts(), randomizePorts: true);
        var env = plan.BuildEnvironment(plan.InstancesOf(edge.Resource)[0], new EnvironmentContext("Development"));

        var replicas = plan.InstancesOf(conversations.Resource);
        Assert.Equal(2, replicas.Count);
        Assert.Equal(replicas[0].Endpoint("http").Url, env["services__conversations__http__0"]);
        Assert.Equal(replicas[1].Endpoint("http").Url, env["services__conversations__http__1"]);
        Assert.Equal(replicas[0].Endpoint("health").Url, env["services__conversations__health__0"]);
        Assert.NotEqual(env["services__conversations__http__0"], env["services__conversations__http__1"]);
    }

    [Fact]
    public void A_service_referencing_redis_gets_a_loopback_connection_string_with_the_generated_password()
    {
        var (redis, conversations, _) = TypicalModel();

        var plan = LaunchPlan.Create(_builder.Resources, new SequentialPorts(), randomizePorts: true);
        var env = plan.BuildEnvironment(plan.InstancesOf(conversations.Resource)[1], new EnvironmentContext("Development"));

        var port = plan.InstancesOf(redis.Resource)[0].Endpoint("tcp").Port;
        Assert.Equal($"127.0.0.1:{port},password={redis.Resource.Password}", env["ConnectionStrings__redis"]);
        Assert.Equal(48, redis.Resource.Password.Length);
    }

    [Fact]
    public void Endpoints_the_project_configures_in_Kestrel_get_their_urls_by_name_instead_of_ASPNETCORE_URLS()
    {
        var (_, conversations, _) = TypicalModel();

        var plan = LaunchPlan.Create(_builder.Resources, new SequentialPorts(), randomizePorts: true);
        var instance = plan.InstancesOf(conversations.Resource)[0];
        var env = plan.BuildEnvironment(instance, new EnvironmentContext("Development"));

        Assert.Equal(instance.Endpoint("http").Url, env["Kestrel__Endpoints__http__Url"]);
        Assert.Equal(instance.Endpoint("health").Url, env["Kestrel__Endpoints__health__Url"]);
        Assert.False(env.ContainsKey("ASPNETCORE_URLS"));
    }

    [Fact]
    public void A_project_without_Kestrel_endpoints_listens_on_ASPNETCORE_URLS_at_its_fixed_port()
    {
        var (_, _, edge) = TypicalModel();

        var plan = LaunchPlan.Create(_builder.Resources, new SequentialPorts(), randomizePorts: false);
        var env = plan.BuildEnvironment(plan.InstancesOf(edge.Resource)[0], new EnvironmentContext("Production"));

        Assert.Equal("http://127.0.0.1:5100", env["ASPNETCORE_URLS"]);
        Assert.Equal("Production", env["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("Production", env["DOTNET_ENVIRONMENT"]);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("Kestrel__", StringComparison.Ordinal));
    }

    [Fact]
    public void Randomized_ports_replace_fixed_ones_and_never_repeat()
    {
        var (_, _, edge) = TypicalModel();

        var plan = LaunchPlan.Create(_builder.Resources, new SequentialPorts(), randomizePorts: true);

        Assert.NotEqual(5100, plan.InstancesOf(edge.Resource)[0].Endpoint("http").Port);
        var ports = plan.Instances.SelectMany(i => i.Endpoints).Select(e => e.Port).ToList();
        Assert.Equal(ports.Count, ports.Distinct().Count());
    }

    [Fact]
    public void OpenTelemetry_names_the_service_by_resource_and_the_instance_by_replica()
    {
        var (_, conversations, _) = TypicalModel();

        var plan = LaunchPlan.Create(_builder.Resources, new SequentialPorts(), randomizePorts: true);
        var env = plan.BuildEnvironment(plan.InstancesOf(conversations.Resource)[1], new EnvironmentContext("Development"));

        Assert.Equal("conversations", env["OTEL_SERVICE_NAME"]);
        Assert.Equal("service.instance.id=conversations-1", env["OTEL_RESOURCE_ATTRIBUTES"]);
    }

    [Fact]
    public void Otlp_export_settings_are_given_only_when_a_collector_is_configured()
    {
        var (_, _, edge) = TypicalModel();
        var plan = LaunchPlan.Create(_builder.Resources, new SequentialPorts(), randomizePorts: true);
        var instance = plan.InstancesOf(edge.Resource)[0];

        var without = plan.BuildEnvironment(instance, new EnvironmentContext("Development"));
        var with = plan.BuildEnvironment(instance, new EnvironmentContext("Development", OtlpEndpoint: "http://127.0.0.1:4317", OtlpHeaders: "x-otlp-api-key=k"));

        Assert.DoesNotContain(without.Keys, k => k.StartsWith("OTEL_EXPORTER_", StringComparison.Ordinal));
        Assert.Equal("http://127.0.0.1:4317", with["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("grpc", with["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal("x-otlp-api-key=k", with["OTEL_EXPORTER_OTLP_HEADERS"]);
    }

    [Fact]
    public void Console_colours_are_kept_only_when_the_AppHost_writes_to_a_terminal()
    {
        var (_, _, edge) = TypicalModel();
        var plan = LaunchPlan.Create(_builder.Resources, new SequentialPorts(), randomizePorts: true);
        var instance = plan.InstancesOf(edge.Resource)[0];

        Assert.False(plan.BuildEnvironment(instance, new EnvironmentContext("Development")).ContainsKey("DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"));
        Assert.Equal("true", plan.BuildEnvironment(instance, new EnvironmentContext("Development", ColourConsole: true))["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"]);
    }

    [Fact]
    public void Values_given_WithEnvironment_override_the_defaults()
    {
        var (_, _, edge) = TypicalModel();
        edge.WithEnvironment("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "false").WithEnvironment("Byoc__Feature", "on");

        var plan = LaunchPlan.Create(_builder.Resources, new SequentialPorts(), randomizePorts: true);
        var env = plan.BuildEnvironment(plan.InstancesOf(edge.Resource)[0], new EnvironmentContext("Development"));

        Assert.Equal("false", env["ASPNETCORE_FORWARDEDHEADERS_ENABLED"]);
        Assert.Equal("on", env["Byoc__Feature"]);
    }

    [Fact]
    public void A_fixed_port_on_a_replicated_resource_is_refused_with_the_resource_named()
    {
        _builder.AddProject("web", _webService).WithHttpEndpoint(port: 5100).WithReplicas(2);

        var error = Assert.Throws<AppHostStartException>(() => LaunchPlan.Create(_builder.Resources, new SequentialPorts(), randomizePorts: false));

        Assert.Contains("'web'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_existing_redis_from_the_AppHost_configuration_is_passed_through_unchanged()
    {
        _builder.Configuration["ConnectionStrings:cache"] = "redis.internal:6380,password=secret,ssl=true";
        var cache = _builder.AddRedis("cache");
        var web = _builder.AddProject("web", _webService).WithReference(cache);

        var plan = LaunchPlan.Create(_builder.Resources, new SequentialPorts(), randomizePorts: true);
        var env = plan.BuildEnvironment(plan.InstancesOf(web.Resource)[0], new EnvironmentContext("Development"));

        Assert.Equal("redis.internal:6380,password=secret,ssl=true", env["ConnectionStrings__cache"]);
    }

    [Fact]
    public void The_real_Conversations_project_declares_a_gRPC_endpoint_and_a_separate_health_endpoint()
    {
        var names = ResourceBuilderExtensions.ReadKestrelEndpointNames(new Projects.Byoc_Conversations().ProjectPath);

        Assert.Equal(["http", "health"], names);
        Assert.Empty(ResourceBuilderExtensions.ReadKestrelEndpointNames(new Projects.Byoc_Edge().ProjectPath));
    }

    private (IResourceBuilder<RedisResource> Redis, IResourceBuilder<ProjectResource> Conversations, IResourceBuilder<ProjectResource> Edge) TypicalModel()
    {
        var redis = _builder.AddRedis("redis");
        var conversations = _builder.AddProject("conversations", _grpcService).WithReference(redis).WaitFor(redis).WithReplicas(2);
        var edge = _builder.AddProject("edge", _webService).WithHttpEndpoint(port: 5100).WithReference(conversations).WaitFor(conversations);
        return (redis, conversations, edge);
    }
}
