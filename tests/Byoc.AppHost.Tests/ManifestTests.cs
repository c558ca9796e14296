using System.Text.Json;
using Byoc.Testing;

namespace Byoc.AppHost.Tests;

/// <summary>The manifest <c>azd</c> deploys from, written offline by the AppHost as a user runs it.</summary>
public sealed class ManifestTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("byoc-manifest-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_manifest_has_every_service_with_its_endpoints_references_and_settings_and_no_sandbox()
    {
        var manifest = await PublishAsync();
        var resources = manifest.GetProperty("resources");

        Assert.Equal(["connector-junglebook", "conversations", "edge", "internal-key", "redis"], resources.EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal));
        foreach (var project in new[] { "conversations", "connector-junglebook", "edge" })
        {
            Assert.StartsWith("project.v", resources.GetProperty(project).GetProperty("type").GetString(), StringComparison.Ordinal);
        }

        var conversations = resources.GetProperty("conversations");
        Assert.Equal("{redis.connectionString}", Env(conversations, "ConnectionStrings__redis"));
        Assert.Equal("{internal-key.value}", Env(conversations, "Byoc__InternalKey"));
        Assert.Equal("{connector-junglebook.bindings.http.url}", Env(conversations, "services__connector-junglebook__http__0"));
        Assert.Equal("http2", conversations.GetProperty("bindings").GetProperty("http").GetProperty("transport").GetString());
        Assert.False(Binding(conversations, "http").TryGetProperty("external", out var external) && external.GetBoolean());

        var connector = resources.GetProperty("connector-junglebook");
        Assert.Equal("{conversations.bindings.http.url}", Env(connector, "services__conversations__http__0"));
        Assert.Equal("{internal-key.value}", Env(connector, "Byoc__InternalKey"));
        Assert.False(connector.GetProperty("env").TryGetProperty("ConnectionStrings__redis", out _));

        var edge = resources.GetProperty("edge");
        Assert.True(Binding(edge, "http").GetProperty("external").GetBoolean());
        Assert.Equal("{redis.connectionString}", Env(edge, "ConnectionStrings__redis"));
        Assert.Equal("{conversations.bindings.http.url}", Env(edge, "services__conversations__http__0"));
        Assert.Equal("{connector-junglebook.bindings.web.url}", Env(edge, "services__connector-junglebook__web__0"));

        // A managed Redis by default: its connection string is a secret parameter azd asks for (or infra provides).
        Assert.StartsWith("parameter.v", resources.GetProperty("redis").GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal("{redis.value}", resources.GetProperty("redis").GetProperty("connectionString").GetString());
        Assert.True(resources.GetProperty("internal-key").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
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

    private static string? Env(JsonElement resource, string name) => resource.GetProperty("env").GetProperty(name).GetString();

    private static JsonElement Binding(JsonElement resource, string name) => resource.GetProperty("bindings").GetProperty(name);

    private async Task<JsonElement> PublishAsync(params string[] extra)
    {
        var path = Path.Combine(_folder, $"manifest-{Guid.NewGuid():N}.json");
        using var apphost = AppHostProcess.Start(["--publisher", "manifest", "--output-path", path, .. extra], new Dictionary<string, string>());
        var output = apphost.StandardOutput.ReadToEndAsync();
        var errors = apphost.StandardError.ReadToEndAsync();
        await apphost.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True(apphost.ExitCode == 0, $"exit {apphost.ExitCode}: {await output}{await errors}");
        await using var file = File.OpenRead(path);
        return (await JsonDocument.ParseAsync(file)).RootElement.Clone();
    }
}
