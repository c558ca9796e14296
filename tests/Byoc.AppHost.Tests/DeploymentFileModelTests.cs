namespace Byoc.AppHost.Tests;

/// <summary>The app model as Byoc.AppHost declares it for a deployment file naming its connectors, read without starting anything.</summary>
public sealed class DeploymentFileModelTests : IAsyncLifetime
{
    private static readonly string[] Names = ["connector-telegram", "connector-webhook", "conversations", "edge", "internal-key-connector-telegram", "internal-key-connector-webhook", "internal-key-conversations", "internal-key-edge", "redis", "redis-edge-password", "redis-password"];

    private readonly DeploymentFiles _files = new();
    private string _file = null!;
    private IDistributedApplicationTestingBuilder _builder = null!;

    public async Task InitializeAsync()
    {
        _file = _files.Write(DeploymentFiles.WebhookAndTelegramAtTheSandbox(botApiPort: 9));
        _builder = await CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await _builder.DisposeAsync();
        _files.Dispose();
    }

    // The model only: nothing is started, and nothing may be written to the developer's own data folder.
    private Task<IDistributedApplicationTestingBuilder> CreateAsync(params string[] extra) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.Byoc_AppHost>(
            ["--environment", "Development", "--AppHost:DataPath", Path.Combine(Path.GetTempPath(), "byoc-model-never-started"), "--AppHost:DeploymentFile", _file, .. extra]);

    private IResource Resource(string name) => _builder.Resources.Single(r => r.Name == name);

    private ValueTask<Dictionary<string, string>> EnvironmentOf(string name) => EnvironmentOf(Resource(name));

    // As the manifest writes them (references as expressions, secrets as parameters), without publishing. The
    // obsolete call is the one that gives them in that form in a single line.
#pragma warning disable CS0618
    private static ValueTask<Dictionary<string, string>> EnvironmentOf(IResource resource) =>
        ((IResourceWithEnvironment)resource).GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
#pragma warning restore CS0618

    [Fact]
    public void A_file_naming_webhook_and_telegram_adds_a_resource_of_each_type_in_place_of_the_demo_junglebook_and_the_sandbox()
    {
        Assert.Equal(Names, _builder.Resources.Where(r => r is not IResourceWithParent).Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.EndsWith("Byoc.Connectors.Webhook.csproj", ((ProjectResource)Resource("connector-webhook")).GetProjectMetadata().ProjectPath, StringComparison.Ordinal);
        Assert.EndsWith("Byoc.Connectors.Telegram.csproj", ((ProjectResource)Resource("connector-telegram")).GetProjectMetadata().ProjectPath, StringComparison.Ordinal);
        Assert.All(["internal-key-connector-telegram", "internal-key-connector-webhook"], key => Assert.True(((ParameterResource)Resource(key)).Secret));
    }

    [Theory]
    [InlineData("connector-webhook", "Webhook__Retries", "1")]
    [InlineData("connector-telegram", "Telegram__ApiBaseUrl", "http://127.0.0.1:9")]
    // Its signed file links are fetched through the Edge, the only public ingress, not from the connector's own port.
    [InlineData("connector-telegram", "Telegram__PublicBaseUrl", "{edge.bindings.http.url}")]
    public async Task A_connector_s_settings_are_its_configuration_under_its_type_s_section(string connector, string variable, string value)
    {
        Assert.Equal(value, (await EnvironmentOf(connector))[variable]);
    }

    [Theory]
    [InlineData("webhook")]
    [InlineData("telegram")]
    public async Task Each_configured_connector_has_a_key_of_its_own_that_conversations_accepts_and_accepts_conversations_key(string name)
    {
        var connector = await EnvironmentOf($"connector-{name}");
        var conversations = await EnvironmentOf("conversations");

        Assert.Equal($"{{internal-key-connector-{name}.value}}", connector["Byoc__InternalKey"]);
        Assert.Equal("{internal-key-conversations.value}", connector["Byoc__InternalCallers__conversations"]);
        Assert.Equal($"{{internal-key-connector-{name}.value}}", conversations[$"Byoc__InternalCallers__connector-{name}"]);
    }

    [Theory]
    [InlineData("webhook")]
    [InlineData("telegram")]
    public async Task Conversations_calls_each_configured_connector_over_gRPC_and_the_edge_forwards_its_webhooks_to_its_web_endpoint(string name)
    {
        var conversations = await EnvironmentOf("conversations");
        var edge = await EnvironmentOf("edge");
        var connector = await EnvironmentOf($"connector-{name}");

        Assert.Equal($"{{connector-{name}.bindings.http.url}}", conversations[$"services__connector-{name}__http__0"]);
        Assert.Equal($"{{connector-{name}.bindings.web.url}}", edge[$"services__connector-{name}__web__0"]);
        Assert.Equal("{conversations.bindings.http.url}", connector["services__conversations__http__0"]);
        Assert.DoesNotContain(conversations.Keys, k => k.Contains("junglebook", StringComparison.Ordinal));
        Assert.DoesNotContain(edge.Keys, k => k.Contains("junglebook", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("webhook")]
    [InlineData("telegram")]
    public async Task Each_configured_connector_is_told_its_name(string name)
    {
        Assert.Equal(name, (await EnvironmentOf($"connector-{name}"))["Connector__Name"]);
    }

    [Fact]
    public async Task A_connector_named_other_than_its_type_runs_its_type_s_project_told_its_name_and_known_to_conversations_by_it()
    {
        _file = _files.Write(DeploymentFiles.WebhookAndTelegramAtTheSandbox(botApiPort: 9, webhookConnector: "support-desk"));
        await using var builder = await CreateAsync();
        var connector = (ProjectResource)builder.Resources.Single(r => r.Name == "connector-support-desk");
        var conversations = await EnvironmentOf(builder.Resources.Single(r => r.Name == "conversations"));

        Assert.EndsWith("Byoc.Connectors.Webhook.csproj", connector.GetProjectMetadata().ProjectPath, StringComparison.Ordinal);
        Assert.Equal("support-desk", (await EnvironmentOf(connector))["Connector__Name"]);
        Assert.Equal("{internal-key-connector-support-desk.value}", conversations["Byoc__InternalCallers__connector-support-desk"]);
        Assert.Equal("{connector-support-desk.bindings.http.url}", conversations["services__connector-support-desk__http__0"]);
        Assert.DoesNotContain(builder.Resources, r => r.Name == "connector-webhook");
    }

    [Fact]
    public async Task Conversations_is_given_the_file_by_its_absolute_path()
    {
        Assert.Equal(Path.GetFullPath(_file), (await EnvironmentOf("conversations"))["Byoc__DeploymentFile"]);
    }

    [Theory]
    [InlineData("connector-webhook")]
    [InlineData("connector-telegram")]
    public void Each_configured_connector_starts_after_conversations_is_healthy_is_probed_on_its_web_endpoint_and_called_directly(string connector)
    {
        var endpoints = Resource(connector).Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);

        Assert.Equal("conversations", Assert.Single(Resource(connector).Annotations.OfType<WaitAnnotation>()).Resource.Name);
        Assert.Contains("web", Assert.Single(Resource(connector).Annotations.OfType<HealthCheckAnnotation>()).Key, StringComparison.Ordinal);
        Assert.Equal(["http", "web"], endpoints.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("http2", endpoints["http"].Transport);
        Assert.All(endpoints.Values, e => Assert.False(e.IsProxied));
        Assert.All(endpoints.Values, e => Assert.False(e.IsExternal));
    }

    [Fact]
    public async Task Asked_for_the_sandbox_a_run_with_a_file_keeps_it_for_conversations_to_reach()
    {
        await using var builder = await CreateAsync("--AppHost:Sandbox", "true");
        var conversations = await EnvironmentOf(builder.Resources.Single(r => r.Name == "conversations"));

        Assert.Contains(builder.Resources, r => r.Name == "sandbox");
        Assert.Equal("{sandbox.bindings.http.url}", conversations["services__sandbox__http__0"]);
    }

    [Fact]
    public async Task A_connector_given_replicas_runs_that_many_behind_the_proxy()
    {
        _file = _files.Write(DeploymentFiles.WebhookAndTelegramAtTheSandbox(botApiPort: 9, webhookReplicas: 3));
        await using var builder = await CreateAsync();
        var webhook = builder.Resources.Single(r => r.Name == "connector-webhook");

        Assert.Equal(3, webhook.Annotations.OfType<ReplicaAnnotation>().Single().Replicas);
        Assert.All(webhook.Annotations.OfType<EndpointAnnotation>(), e => Assert.True(e.IsProxied));
    }
}
