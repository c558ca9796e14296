using System.Text.Json;

namespace Byoc.AppHost.Tests;

/// <summary>The manifest <c>azd</c> deploys from, written offline by the AppHost as a user runs it.</summary>
public sealed class ManifestTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("byoc-manifest-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>What each project must be given in a deployment: its references, its secrets, its endpoints.</summary>
    private static readonly Dictionary<string, Dictionary<string, string>> Expected = new()
    {
        ["conversations"] = new()
        {
            ["ConnectionStrings__redis"] = "{redis.connectionString}",
            ["Byoc__InternalKey"] = "{internal-key-conversations.value}",
            ["Byoc__DataProtection__Certificate__Base64"] = "{key-ring-certificate.value}",
            ["Byoc__DataProtection__Certificate__Password"] = "{key-ring-certificate-password.value}",
            ["Byoc__InternalCallers__edge"] = "{internal-key-edge.value}",
            ["Byoc__InternalCallers__connector-junglebook"] = "{internal-key-connector-junglebook.value}",
            ["Kestrel__Endpoints__http__Url"] = "http://*:{conversations.bindings.http.targetPort}",
            ["Kestrel__Endpoints__health__Url"] = "http://*:{conversations.bindings.health.targetPort}",
            ["services__connector-junglebook__http__0"] = "{connector-junglebook.bindings.http.url}",
            ["services__connector-junglebook__web__0"] = "{connector-junglebook.bindings.web.url}",
        },
        ["connector-junglebook"] = new()
        {
            ["Byoc__InternalKey"] = "{internal-key-connector-junglebook.value}",
            ["Byoc__InternalCallers__conversations"] = "{internal-key-conversations.value}",
            ["Kestrel__Endpoints__http__Url"] = "http://*:{connector-junglebook.bindings.http.targetPort}",
            ["Kestrel__Endpoints__web__Url"] = "http://*:{connector-junglebook.bindings.web.targetPort}",
            ["services__conversations__http__0"] = "{conversations.bindings.http.url}",
            ["services__conversations__health__0"] = "{conversations.bindings.health.url}",
        },
        ["edge"] = new()
        {
            // A Redis user of its own, limited to its keys (the deployment creates it; docs/architecture.md).
            ["ConnectionStrings__redis"] = "{redis-edge.connectionString}",
            ["Byoc__InternalKey"] = "{internal-key-edge.value}",
            ["Byoc__DataProtection__Certificate__Base64"] = "{key-ring-certificate.value}",
            ["Byoc__DataProtection__Certificate__Password"] = "{key-ring-certificate-password.value}",
            ["services__conversations__http__0"] = "{conversations.bindings.http.url}",
            ["services__conversations__health__0"] = "{conversations.bindings.health.url}",
            ["services__connector-junglebook__http__0"] = "{connector-junglebook.bindings.http.url}",
            ["services__connector-junglebook__web__0"] = "{connector-junglebook.bindings.web.url}",
        },
    };

    private static readonly string[] InternalKeys = ["internal-key-connector-junglebook", "internal-key-conversations", "internal-key-edge"];

    private static readonly string[] ExpectedBindings =
    [
        "connector-junglebook.http http http2 5401 internal",
        "connector-junglebook.web http http 5402 internal",
        "conversations.health http http 5202 internal",
        "conversations.http http http2 5201 internal",
        "edge.http http http - external",
    ];

    [Fact]
    public async Task The_manifest_has_every_service_with_exactly_its_references_secrets_and_endpoints_and_no_sandbox()
    {
        var manifest = await PublishAsync();
        var resources = manifest.GetProperty("resources");

        Assert.Equal(["connector-junglebook", "conversations", "edge", .. InternalKeys, "key-ring-certificate", "key-ring-certificate-password", "redis", "redis-edge"], resources.EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal));
        foreach (var (project, expected) in Expected)
        {
            var resource = resources.GetProperty(project);
            Assert.Equal("project.v0", resource.GetProperty("type").GetString());
            var ours = resource.GetProperty("env").EnumerateObject()
                .Where(e => e.Name.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || e.Name.StartsWith("services__", StringComparison.Ordinal)
                    || e.Name.StartsWith("Byoc__", StringComparison.Ordinal) || e.Name.StartsWith("Kestrel__", StringComparison.Ordinal))
                .ToDictionary(e => e.Name, e => e.Value.GetString()!);
            Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), ours.OrderBy(e => e.Key, StringComparer.Ordinal));
        }

        // gRPC on HTTP/2 and probes on HTTP/1.1 inside, each on its own port; only the Edge is reachable from outside.
        var bindings = resources.EnumerateObject().Where(r => r.Value.TryGetProperty("bindings", out _))
            .SelectMany(r => r.Value.GetProperty("bindings").EnumerateObject().Select(b => string.Join(' ',
                $"{r.Name}.{b.Name}", b.Value.GetProperty("scheme").GetString(), b.Value.GetProperty("transport").GetString(),
                b.Value.TryGetProperty("targetPort", out var port) ? port.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : "-",
                b.Value.TryGetProperty("external", out var external) && external.GetBoolean() ? "external" : "internal")))
            .Order(StringComparer.Ordinal);
        Assert.Equal(ExpectedBindings, bindings);

        // A managed Redis by default: its connection string is a secret parameter azd asks for (or infra provides).
        Assert.Equal("parameter.v0", resources.GetProperty("redis").GetProperty("type").GetString());
        Assert.Equal("{redis.value}", resources.GetProperty("redis").GetProperty("connectionString").GetString());
        Assert.True(resources.GetProperty("redis").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.Equal("{redis-edge.value}", resources.GetProperty("redis-edge").GetProperty("connectionString").GetString());
        Assert.True(resources.GetProperty("redis-edge").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.True(resources.GetProperty("key-ring-certificate").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.True(resources.GetProperty("key-ring-certificate-password").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        // One credential per internal caller, each a secret parameter.
        Assert.All(InternalKeys, key => Assert.True(resources.GetProperty(key).GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean()));
    }

    [Fact]
    public async Task Asked_for_a_container_Redis_the_manifest_describes_one_with_a_generated_password()
    {
        var manifest = await PublishAsync("--AppHost:PublishRedisAs", "container");
        var redis = manifest.GetProperty("resources").GetProperty("redis");

        Assert.StartsWith("container.v", redis.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Contains("redis", redis.GetProperty("image").GetString(), StringComparison.Ordinal);
        Assert.Contains("{redis-password.value}", redis.GetProperty("connectionString").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_deployment_file_the_manifest_has_its_connectors_with_their_settings_and_keys_and_the_file_as_a_secret_parameter()
    {
        using var files = new DeploymentFiles();
        // Its secret references resolve only where it is deployed: publishing checks their form, not their values.
        var manifest = await PublishAsync("--AppHost:DeploymentFile", files.Write(DeploymentFiles.WebhookAndTelegramForAzure));
        var resources = manifest.GetProperty("resources");
        string Env(string resource, string name) => resources.GetProperty(resource).GetProperty("env").GetProperty(name).GetString()!;

        Assert.Equal(["connector-telegram", "connector-webhook", "conversations", "deployment", "edge", "internal-key-connector-telegram", "internal-key-connector-webhook", "internal-key-conversations", "internal-key-edge", "key-ring-certificate", "key-ring-certificate-password", "redis", "redis-edge"],
            resources.EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal));
        foreach (var name in new[] { "webhook", "telegram" })
        {
            var connector = $"connector-{name}";
            Assert.Equal("project.v0", resources.GetProperty(connector).GetProperty("type").GetString());
            Assert.Equal(name, Env(connector, "Connector__Name"));
            Assert.Equal($"{{internal-key-{connector}.value}}", Env(connector, "Byoc__InternalKey"));
            Assert.Equal("{internal-key-conversations.value}", Env(connector, "Byoc__InternalCallers__conversations"));
            Assert.Equal("{conversations.bindings.http.url}", Env(connector, "services__conversations__http__0"));
            Assert.Equal($"{{internal-key-{connector}.value}}", Env("conversations", $"Byoc__InternalCallers__{connector}"));
            Assert.Equal($"{{{connector}.bindings.http.url}}", Env("conversations", $"services__{connector}__http__0"));
            Assert.Equal($"{{{connector}.bindings.web.url}}", Env("edge", $"services__{connector}__web__0"));
            Assert.DoesNotContain(resources.GetProperty(connector).GetProperty("bindings").EnumerateObject(), b => b.Value.TryGetProperty("external", out var external) && external.GetBoolean());
        }

        Assert.Equal("1", Env("connector-webhook", "Webhook__Retries"));
        Assert.Equal("https://api.telegram.org", Env("connector-telegram", "Telegram__ApiBaseUrl"));
        Assert.Equal("{edge.bindings.http.url}", Env("connector-telegram", "Telegram__PublicBaseUrl"));
        // A deployment has no such file: Conversations gets its JSON as a secret given at deploy time.
        Assert.Equal("{deployment.value}", Env("conversations", "Byoc__Deployment"));
        Assert.True(resources.GetProperty("deployment").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.False(resources.GetProperty("conversations").GetProperty("env").TryGetProperty("Byoc__DeploymentFile", out _));
    }

    [Fact]
    public async Task A_file_whose_connectors_have_problems_is_refused_with_every_problem_and_no_manifest_is_written()
    {
        using var files = new DeploymentFiles();
        var file = files.Write(DeploymentFiles.WebhookAndTelegramForAzure.Replace("\"type\": \"webhook\"", "\"type\": \"slack\"", StringComparison.Ordinal)
            .Replace("\"telegram\": { \"type\"", "\"telegram\": { \"replicas\": 0, \"type\"", StringComparison.Ordinal));

        var (exitCode, output, manifest) = await RunPublisherAsync("--AppHost:DeploymentFile", file);

        Assert.Equal(1, exitCode);
        Assert.Contains("connectors:webhook:type", output, StringComparison.Ordinal);
        Assert.Contains("connectors:telegram:replicas", output, StringComparison.Ordinal);
        Assert.False(File.Exists(manifest));
    }

    [Fact]
    public async Task A_file_whose_integrations_are_still_to_be_filled_in_is_published_with_what_is_missing_shown()
    {
        // As infra/deployment.json is shipped: the connectors make the manifest, Conversations checks the rest where it runs.
        using var files = new DeploymentFiles();
        var file = files.Write("""{ "connectors": { "webhook": {} }, "integrations": {} }""");

        var (exitCode, output, manifest) = await RunPublisherAsync("--AppHost:DeploymentFile", file);

        Assert.True(exitCode == 0, output);
        Assert.Contains("warning: integrations: expected at least one integration", output, StringComparison.Ordinal);
        Assert.True(File.Exists(manifest));
    }

    private async Task<JsonElement> PublishAsync(params string[] extra)
    {
        var (exitCode, output, path) = await RunPublisherAsync(extra);

        Assert.True(exitCode == 0, $"exit {exitCode}: {output}");
        await using var file = File.OpenRead(path);
        return (await JsonDocument.ParseAsync(file)).RootElement.Clone();
    }

    private async Task<(int ExitCode, string Output, string Manifest)> RunPublisherAsync(params string[] extra)
    {
        var path = Path.Combine(_folder, $"manifest-{Guid.NewGuid():N}.json");
        using var apphost = await AppHostProcess.StartAsync(["--publisher", "manifest", "--output-path", path, .. extra], new Dictionary<string, string>());
        await apphost.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (apphost.Process.ExitCode, apphost.Output, path);
    }
}
