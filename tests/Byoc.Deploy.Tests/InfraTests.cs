using System.Text.Json;
using System.Text.RegularExpressions;

namespace Byoc.Deploy.Tests;

/// <summary>infra/ and the container app templates compile offline, against Azure's own resource schemas.</summary>
public sealed class InfraTests(DeploymentFixture fixture) : IClassFixture<DeploymentFixture>
{
    [Fact]
    public async Task The_infra_compiles_and_lints_without_a_warning()
    {
        Assert.True(fixture.BuildDiagnostics.Length == 0, $"bicep build:\n{fixture.BuildDiagnostics}");
        var (exitCode, output, diagnostics) = await Bicep.LintAsync(Path.Combine(DeploymentFixture.Infra, "main.bicep"));
        Assert.True(exitCode == 0 && diagnostics.Length == 0 && output.Trim().Length == 0, $"bicep lint:\n{output}\n{diagnostics}");
    }

    [Fact]
    public async Task Every_container_app_template_matches_the_container_apps_schema()
    {
        // The example's apps too: they hold the other connector types.
        var apps = fixture.All.SelectMany(d => d.Apps.Select(a => (Name: $"{d.Name}-{a.Key}", App: a.Value))).ToList();
        Assert.NotEmpty(apps);
        var folder = Directory.CreateTempSubdirectory("byoc-deploy-apps-").FullName;
        try
        {
            // The compiler's type checks only: the linter's style rules would judge the test's made-up values.
            await File.WriteAllTextAsync(Path.Combine(folder, "bicepconfig.json"), """{ "analyzers": { "core": { "enabled": false } } }""");
            foreach (var (name, app) in apps)
            {
                var file = Path.Combine(folder, $"{name}.bicep");
                await File.WriteAllTextAsync(file, app.ToBicep(name));
                var (exitCode, _, diagnostics) = await Bicep.BuildAsync(file);
                // BCP037 (no such property), BCP036/BCP088 (wrong type or value) and the rest: none is allowed.
                Assert.True(exitCode == 0 && diagnostics.Length == 0, $"{name}.tmpl.yaml as a Microsoft.App/containerApps resource:\n{diagnostics}");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_infra_gives_azd_every_output_its_aspire_deployment_reads()
    {
        var outputs = fixture.MainJson["outputs"]!.AsObject().Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        string[] azd =
        [
            "AZURE_CONTAINER_REGISTRY_ENDPOINT", "AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID", "AZURE_CONTAINER_APPS_ENVIRONMENT_ID",
            "AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN", "MANAGED_IDENTITY_CLIENT_ID", "MANAGED_IDENTITY_NAME",
            "AZURE_LOG_ANALYTICS_WORKSPACE_NAME", "AZURE_LOG_ANALYTICS_WORKSPACE_ID",
        ];
        Assert.Empty(azd.Except(outputs));
        // And the ones the templates and the hook read (the templates' own reads are checked as they are rendered).
        Assert.Contains("AZURE_KEY_VAULT_NAME", outputs);
        Assert.Contains("BYOC_CONNECTORS", outputs);
    }

    [Fact]
    public void Every_vault_secret_a_template_references_is_made_by_the_infra_or_its_hook()
    {
        var bicep = File.ReadAllText(Path.Combine(DeploymentFixture.Infra, "resources.bicep"));
        var made = Regex.Matches(bicep, @"'Microsoft\.KeyVault/vaults/secrets@[^']+' = \{\s*parent: vault\s*name: '(?<name>[^']+)'")
            .Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("redis", made);
        var hook = File.ReadAllText(Path.Combine(DeploymentFixture.Infra, "hooks", "postprovision.sh"));
        Assert.Contains("--name key-ring", hook, StringComparison.Ordinal);
        Assert.Contains("for name in $(for caller in", hook, StringComparison.Ordinal);
        Assert.Contains("edge-admin-api-key", hook, StringComparison.Ordinal);
        // The hook makes internal-key-{caller} for conversations, the edge and connector-{name} of every connector
        // of the deployment file (BYOC_CONNECTORS), the admin API key, and the key-ring certificate.
        made.UnionWith(["internal-key-conversations", "internal-key-edge", "key-ring", "edge-admin-api-key"]);

        foreach (var deployment in fixture.All)
        foreach (var (name, app) in deployment.Apps)
        {
            var madeHere = made.Union(deployment.Connectors.Select(c => $"internal-key-connector-{c}")).ToHashSet(StringComparer.Ordinal);
            foreach (var (secret, url) in app.Secrets)
            {
                Assert.True(url is not null, $"{name}: the secret {secret} is not a Key Vault reference (no secret is ever in a template)");
                var vaultSecret = url[ContainerAppTemplate.ValueOf("AZURE_KEY_VAULT_ENDPOINT").Length..];
                Assert.StartsWith("secrets/", vaultSecret, StringComparison.Ordinal);
                Assert.True(madeHere.Contains(vaultSecret["secrets/".Length..]), $"{deployment}/{name}: {url} is made neither by infra/resources.bicep nor by infra/hooks/postprovision.sh");
            }
        }
    }

    [Fact]
    public void Azure_yaml_names_the_apphost_as_the_one_container_app_service_with_hooks_that_exist()
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(DeploymentFixture.RepoRoot, "azure.yaml"))));
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents.Single().RootNode;
        var services = (YamlDotNet.RepresentationModel.YamlMappingNode)root["services"];
        var app = (YamlDotNet.RepresentationModel.YamlMappingNode)services.Children.Single().Value;
        Assert.Equal("dotnet", ContainerAppTemplate.Scalar(app, "language"));
        Assert.Equal("containerapp", ContainerAppTemplate.Scalar(app, "host"));
        Assert.True(File.Exists(Path.Combine(DeploymentFixture.RepoRoot, ContainerAppTemplate.Scalar(app, "project")!)));
        // No Dockerfile anywhere: the .NET SDK builds the containers.
        Assert.DoesNotContain(Directory.EnumerateFiles(DeploymentFixture.RepoRoot, "*", SearchOption.AllDirectories),
            f => Path.GetFileName(f).StartsWith("Dockerfile", StringComparison.Ordinal));
        var postprovision = (YamlDotNet.RepresentationModel.YamlMappingNode)((YamlDotNet.RepresentationModel.YamlMappingNode)root["hooks"])["postprovision"];
        foreach (var os in new[] { "posix", "windows" })
        {
            Assert.True(File.Exists(Path.Combine(DeploymentFixture.RepoRoot, ContainerAppTemplate.Scalar((YamlDotNet.RepresentationModel.YamlMappingNode)postprovision[os], "run")!)));
        }
    }

    [Fact]
    public void The_deployment_file_the_infra_reads_has_connectors_that_are_valid_resource_names()
    {
        Assert.NotEmpty(fixture.Committed.Connectors);
        Assert.All(fixture.Committed.Connectors, c => Assert.Matches("^[a-z][a-z0-9-]{0,20}[a-z0-9]$", c));
        using var file = JsonDocument.Parse(File.ReadAllText(DeploymentFixture.DeploymentFile));
        // It holds references to secrets only: the whole file is given to Conversations (Byoc__Deployment).
        Assert.DoesNotContain("password=", file.RootElement.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }
}
