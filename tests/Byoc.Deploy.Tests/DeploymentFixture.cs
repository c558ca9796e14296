using System.Text.Json;
using System.Text.Json.Nodes;
using Byoc.Testing;

namespace Byoc.Deploy.Tests;

/// <summary>
/// One deployment as azd sees it: the AppHost's manifest written from a deployment file (as azd has it written, with
/// <c>AppHost__DeploymentFile</c>), and the container app template of each resource, rendered.
/// </summary>
public sealed record Deployment(string Name, string DeploymentFile, JsonElement Manifest, IReadOnlyDictionary<string, ContainerAppTemplate> Apps)
{
    /// <summary>The projects of the manifest (the resources azd deploys as container apps), by name.</summary>
    public IReadOnlyDictionary<string, JsonElement> Projects => Manifest.GetProperty("resources").EnumerateObject()
        .Where(r => r.Value.GetProperty("type").GetString() is "project.v0" or "project.v1")
        .ToDictionary(r => r.Name, r => r.Value);

    public IReadOnlyList<string> Connectors => [.. JsonNode.Parse(File.ReadAllText(DeploymentFile))!["connectors"]!.AsObject().Select(c => c.Key)];

    public override string ToString() => Name;
}

/// <summary>
/// What the deployment is made of, read once for the tests: the compiled infra/main.bicep, the deployment this
/// repository commits (infra/deployment.json and the templates in Byoc.AppHost/infra/), and the example deployment
/// file of docs/configuration.md (a Telegram connector beside Junglebook) and a webhook connector named other than its
/// type, each with the templates docs/deploy.md says to add for it.
/// </summary>
public sealed class DeploymentFixture : IAsyncLifetime
{
    public static string RepoRoot => ServiceBuild.RepoRoot;

    public static string Infra => Path.Combine(RepoRoot, "infra");

    public static string Templates => Path.Combine(RepoRoot, "Byoc.AppHost", "infra");

    public static string DeploymentFile => Path.Combine(Infra, "deployment.json");

    public static string ExampleDeploymentFile => Path.Combine(RepoRoot, "docs", "examples", "byoc.deployment.json");

    /// <summary>A connector named other than its type (a webhook one), with two replicas and a setting.</summary>
    public static string SupportDeskDeploymentFile => Path.Combine(RepoRoot, "tests", "Byoc.Deploy.Tests", "support-desk.deployment.json");

    public JsonObject MainJson { get; private set; } = [];

    public string BuildDiagnostics { get; private set; } = "";

    public IReadOnlySet<string> Outputs { get; private set; } = new HashSet<string>();

    /// <summary>The deployment committed here.</summary>
    public Deployment Committed { get; private set; } = null!;

    /// <summary>The example deployment file, with the connector templates made as docs/deploy.md says.</summary>
    public Deployment Example { get; private set; } = null!;

    /// <summary>The support desk's deployment file, with the connector templates made as docs/deploy.md says.</summary>
    public Deployment SupportDesk { get; private set; } = null!;

    public IReadOnlyList<Deployment> All => [Committed, Example, SupportDesk];

    public async Task InitializeAsync()
    {
        var build = Bicep.BuildAsync(Path.Combine(Infra, "main.bicep"));
        var committedManifest = await PublishManifestAsync(DeploymentFile);
        var exampleManifest = await PublishManifestAsync(ExampleDeploymentFile);
        var supportDeskManifest = await PublishManifestAsync(SupportDeskDeploymentFile);
        var (exitCode, json, diagnostics) = await build;
        Assert.True(exitCode == 0, $"bicep build failed:\n{diagnostics}");
        MainJson = JsonNode.Parse(json)!.AsObject();
        BuildDiagnostics = diagnostics;
        Outputs = MainJson["outputs"]!.AsObject().Select(o => o.Key).ToHashSet(StringComparer.Ordinal);

        var committed = Directory.EnumerateFiles(Templates, "*.tmpl.yaml")
            .ToDictionary(f => Path.GetFileName(f)[..^".tmpl.yaml".Length], File.ReadAllText);
        Committed = new("committed", DeploymentFile, committedManifest, Render(committed));
        Example = new("example", ExampleDeploymentFile, exampleManifest, Render(ConnectorTemplateRecipe.Apply(committed, ExampleDeploymentFile)));
        SupportDesk = new("support-desk", SupportDeskDeploymentFile, supportDeskManifest, Render(ConnectorTemplateRecipe.Apply(committed, SupportDeskDeploymentFile)));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Dictionary<string, ContainerAppTemplate> Render(IReadOnlyDictionary<string, string> templates) =>
        templates.ToDictionary(t => t.Key, t => ContainerAppTemplate.Render(t.Value, Outputs));

    private static async Task<JsonElement> PublishManifestAsync(string deploymentFile)
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
                ["AppHost__DeploymentFile"] = deploymentFile,
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
