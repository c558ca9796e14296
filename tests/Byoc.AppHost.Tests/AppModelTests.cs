namespace Byoc.AppHost.Tests;

/// <summary>The app model as Byoc.AppHost declares it, read without starting anything.</summary>
public sealed class AppModelTests : IAsyncLifetime
{
    private static readonly string[] Names = ["connector-junglebook", "conversations", "edge", "internal-key-connector-junglebook", "internal-key-conversations", "internal-key-edge", "redis", "redis-edge-password", "redis-password", "sandbox"];

    private IDistributedApplicationTestingBuilder _builder = null!;

    // The model only: nothing is started, and nothing may be written to the developer's own data folder.
    public async Task InitializeAsync() =>
        _builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Byoc_AppHost>(
            ["--environment", "Development", "--AppHost:DataPath", Path.Combine(Path.GetTempPath(), "byoc-model-never-started")]);

    public async Task DisposeAsync() => await _builder.DisposeAsync();

    private IResource Resource(string name) => _builder.Resources.Single(r => r.Name == name);

    [Fact]
    public void The_model_has_redis_two_conversations_replicas_the_connector_the_edge_and_the_sandbox()
    {
        // Aspire adds a hidden "rebuilder" child per project (the dashboard's rebuild command); those are not ours.
        Assert.Equal(Names, _builder.Resources.Where(r => r is not IResourceWithParent).Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.IsType<RedisServerResource>(Resource("redis"));
        Assert.Equal(2, Resource("conversations").Annotations.OfType<ReplicaAnnotation>().Single().Replicas);
        Assert.All(["internal-key-connector-junglebook", "internal-key-conversations", "internal-key-edge"], key => Assert.True(((ParameterResource)Resource(key)).Secret));
        Assert.True(((ParameterResource)Resource("redis-password")).Secret);
        Assert.True(((ParameterResource)Resource("redis-edge-password")).Secret);
    }

    [Fact]
    public void The_edge_references_a_redis_user_of_its_own_limited_to_its_keys_not_the_shared_one()
    {
        var edgeRedis = Assert.IsType<RedisUserResource>(_builder.Resources.Single(r => r.Name == "redis-edge"));

        Assert.Same(Resource("redis"), edgeRedis.Parent);
        Assert.Contains(edgeRedis, ((RedisServerResource)Resource("redis")).Users);
        Assert.Equal("edge", edgeRedis.User);
        Assert.StartsWith("resetkeys ~byoc:v1:edge:* ", edgeRedis.Rules, StringComparison.Ordinal);
        Assert.Contains(" -@all ", edgeRedis.Rules, StringComparison.Ordinal);
        Assert.Contains(_builder.Resources.Single(r => r.Name == "edge").Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource == edgeRedis);
        Assert.DoesNotContain(_builder.Resources.Single(r => r.Name == "edge").Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource == Resource("redis"));
    }

    [Fact]
    public void Only_the_edge_and_the_sandbox_are_reachable_from_outside_on_their_fixed_ports()
    {
        var endpoints = _builder.Resources.OfType<IResourceWithEndpoints>()
            .SelectMany(r => r.Annotations.OfType<EndpointAnnotation>().Select(e => (Resource: r.Name, Endpoint: e)))
            .ToList();

        Assert.Equal(["edge", "sandbox"], endpoints.Where(e => e.Endpoint.IsExternal).Select(e => e.Resource).Order(StringComparer.Ordinal));
        Assert.Equal(5100, endpoints.Single(e => e.Resource == "edge").Endpoint.Port);
        Assert.Equal(5300, endpoints.Single(e => e.Resource == "sandbox").Endpoint.Port);
    }

    [Fact]
    public void The_connector_is_called_directly_on_free_ports_and_the_conversations_replicas_through_the_proxy()
    {
        var connector = Resource("connector-junglebook").Annotations.OfType<EndpointAnnotation>().ToList();
        var conversations = Resource("conversations").Annotations.OfType<EndpointAnnotation>().ToList();

        Assert.Equal(["http", "web"], connector.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.All(connector, e => Assert.False(e.IsProxied));
        // Not the development ports of its appsettings.json: tests and a developer's own run must not collide.
        Assert.All(connector, e => Assert.Null(e.Port));
        Assert.All(connector, e => Assert.Null(e.TargetPort));
        Assert.All(conversations, e => Assert.True(e.IsProxied));
    }

    [Fact]
    public void The_gRPC_services_speak_HTTP2_on_one_endpoint_and_answer_health_probes_on_another()
    {
        foreach (var (service, probe) in new[] { ("conversations", "health"), ("connector-junglebook", "web") })
        {
            var endpoints = Resource(service).Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
            Assert.Equal("http2", endpoints["http"].Transport);
            Assert.Equal("http", endpoints[probe].Transport);
            var check = Resource(service).Annotations.OfType<HealthCheckAnnotation>().Single();
            Assert.Contains(probe, check.Key, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("conversations", "redis")]
    [InlineData("connector-junglebook", "conversations")]
    [InlineData("edge", "conversations")]
    public void Each_service_starts_only_after_what_it_waits_for_is_healthy(string service, string waitsFor)
    {
        var waits = Resource(service).Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name);

        Assert.Equal(waitsFor, Assert.Single(waits));
    }

    [Fact]
    public void In_run_mode_every_service_starts_from_its_build_output_not_through_dotnet_run()
    {
        foreach (var project in _builder.Resources.OfType<ProjectResource>())
        {
            var command = project.Annotations.OfType<ExecutableAnnotation>().Single().Command;

            Assert.True(File.Exists(command), $"{project.Name}: {command}");
            Assert.Equal(Path.GetFileNameWithoutExtension(project.GetProjectMetadata().ProjectPath), Path.GetFileName(command));
        }
    }
}
