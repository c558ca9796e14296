using System.Text.Json;
using System.Text.Json.Nodes;
using Byoc.Testing;

namespace Byoc.Deploy.Tests;

/// <summary>
/// What the deployment is made of, read once for the tests: the AppHost's manifest (written as azd has it written, from
/// the same deployment file the infra reads), the compiled infra/main.bicep, and the container app templates azd
/// deploys each resource from.
/// </summary>
public sealed class DeploymentFixture : IAsyncLifetime
{
    public static string RepoRoot => ServiceBuild.RepoRoot;

    public static string Infra => Path.Combine(RepoRoot, "infra");

    public static string Templates => Path.Combine(RepoRoot, "Byoc.AppHost", "infra");

    public static string DeploymentFile => Path.Combine(Infra, "deployment.json");

    public JsonElement Manifest { get; private set; }

    public JsonObject MainJson { get; private set; } = [];

    public string BuildDiagnostics { get; private set; } = "";

    public IReadOnlyDictionary<string, ContainerAppTemplate> Apps { get; private set; } = new Dictionary<string, ContainerAppTemplate>();

    /// <summary>The projects of the manifest (the resources azd deploys as container apps), by name.</summary>
    public IReadOnlyDictionary<string, JsonElement> Projects => Manifest.GetProperty("resources").EnumerateObject()
        .Where(r => r.Value.GetProperty("type").GetString() is "project.v0" or "project.v1")
        .ToDictionary(r => r.Name, r => r.Value);

    public IReadOnlyList<string> Connectors { get; } = [.. JsonNode.Parse(File.ReadAllText(DeploymentFile))!["connectors"]!.AsObject().Select(c => c.Key)];

    public async Task InitializeAsync()
    {
        var build = Bicep.BuildAsync(Path.Combine(Infra, "main.bicep"));
        Manifest = await PublishManifestAsync();
        var (exitCode, json, diagnostics) = await build;
        Assert.True(exitCode == 0, $"bicep build failed:\n{diagnostics}");
        MainJson = JsonNode.Parse(json)!.AsObject();
        BuildDiagnostics = diagnostics;
        var outputs = MainJson["outputs"]!.AsObject().Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        Apps = Directory.EnumerateFiles(Templates, "*.tmpl.yaml")
            .ToDictionary(f => Path.GetFileName(f)[..^".tmpl.yaml".Length], f => ContainerAppTemplate.Render(File.ReadAllText(f), outputs));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<JsonElement> PublishManifestAsync()
    {
        var folder = Directory.CreateTempSubdirectory("byoc-deploy-manifest-").FullName;
        try
        {
            var path = Path.Combine(folder, "aspire-manifest.json");
            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            // The AppHost reads the same deployment file as the infra (AppHost:DeploymentFile), as docs/deploy.md has
            // azd run it; DOTNET_ENVIRONMENT as the launch profile `dotnet run` under azd takes gives it.
            var environment = new Dictionary<string, string>
            {
                ["DOTNET_ENVIRONMENT"] = "Development",
                ["AppHost__DeploymentFile"] = DeploymentFile,
            };
            using var apphost = await TestProcesses.StartAsync(TestProcesses.DotnetHost(),
                [ServiceBuild.AppHost.AssemblyPath, "--publisher", "manifest", "--output-path", path],
                ServiceBuild.AppHost.ProjectDirectory, environment, output.Enqueue);
            await apphost.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
            Assert.True(apphost.ExitCode == 0, $"exit {apphost.ExitCode}: {string.Join('\n', output)}");
            await using var file = File.OpenRead(path);
            return (await JsonDocument.ParseAsync(file)).RootElement.Clone();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
