using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Byoc.Deploy.Tests;

/// <summary>
/// One source of truth for names: every variable the AppHost's manifest gives a service is set, with the same name
/// and the value it stands for, in that service's container app in Azure, and the container app sets nothing else
/// except the few variables only Azure needs (<see cref="InfraOnly"/>, each explained in docs/deploy.md).
/// </summary>
public sealed partial class ConsistencyTests(DeploymentFixture fixture) : IClassFixture<DeploymentFixture>
{
    /// <summary>Set by the infra and not by the manifest (docs/deploy.md, "What differs from a local run").</summary>
    private static readonly Dictionary<string, string[]> InfraOnly = new()
    {
        // The managed identity (the deployment file's keyvault: references); the Edge's admin API key, trusted proxies
        // and public issuer.
        ["edge"] = ["AZURE_CLIENT_ID", "Edge__Admin__ApiKey", "Byoc__ForwardedHeaders__KnownNetworks__0", "Edge__Token__Issuer"],
        ["conversations"] = ["AZURE_CLIENT_ID"],
        ["connector-*"] = ["AZURE_CLIENT_ID"],
    };

    /// <summary>The manifest's secret parameters and the vault secret each is in (a Key Vault certificate's PFX has no password).</summary>
    private static readonly Dictionary<string, string?> VaultSecretOf = new()
    {
        ["key-ring-certificate"] = "key-ring",
        ["key-ring-certificate-password"] = null,
    };

    public static TheoryData<string> Deployments => ["committed", "example", "support-desk"];

    private Deployment Of(string name) => fixture.All.Single(d => d.Name == name);

    [Theory]
    [MemberData(nameof(Deployments))]
    public void Every_project_of_the_manifest_has_a_container_app_template_and_no_template_is_left_over(string name)
    {
        var deployment = Of(name);
        Assert.Equal(deployment.Projects.Keys.Order(StringComparer.Ordinal), deployment.Apps.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public void The_connectors_of_the_deployment_file_are_the_connectors_deployed(string name)
    {
        var deployment = Of(name);
        var deployed = deployment.Projects.Keys.Where(p => p.StartsWith("connector-", StringComparison.Ordinal)).Select(p => p["connector-".Length..]);
        Assert.Equal(deployment.Connectors.Order(StringComparer.Ordinal), deployed.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public void Each_service_gets_exactly_the_variables_the_manifest_gives_it(string deploymentName)
    {
        var deployment = Of(deploymentName);
        foreach (var (name, project) in deployment.Projects)
        {
            var app = deployment.Apps[name];
            var manifest = project.GetProperty("env").EnumerateObject().Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            var infraOnly = InfraOnly[name.StartsWith("connector-", StringComparison.Ordinal) ? "connector-*" : name];
            var missing = manifest.Except(app.Env.Keys).Order(StringComparer.Ordinal).ToList();
            var extra = app.Env.Keys.Except(manifest).Except(infraOnly).Order(StringComparer.Ordinal).ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0,
                $"{name}.tmpl.yaml: missing [{string.Join(", ", missing)}], not in the manifest [{string.Join(", ", extra)}]");
            Assert.All(infraOnly, v => Assert.Contains(v, app.Env.Keys));
        }
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public void Each_variable_has_the_value_the_manifest_stands_for_in_azure(string deploymentName)
    {
        var deployment = Of(deploymentName);
        foreach (var (name, project) in deployment.Projects)
        {
            var app = deployment.Apps[name];
            foreach (var variable in project.GetProperty("env").EnumerateObject())
            {
                var manifestValue = variable.Value.GetString()!;
                var (value, secretRef) = app.Env[variable.Name];
                var where = $"{name}: {variable.Name} = {manifestValue}";
                if (Parameter().Match(manifestValue) is { Success: true } parameter)
                {
                    var resource = parameter.Groups["resource"].Value;
                    var vaultSecret = VaultSecretOf.TryGetValue(resource, out var mapped) ? mapped : resource;
                    if (vaultSecret is null)
                    {
                        Assert.True(value == string.Empty && secretRef is null, $"{where}: expected an empty value");
                        continue;
                    }

                    Assert.True(secretRef is not null, $"{where}: expected a secret, got a value");
                    Assert.Equal($"{ContainerAppTemplate.ValueOf("AZURE_KEY_VAULT_ENDPOINT")}secrets/{vaultSecret}", app.Secrets[secretRef]);
                }
                else
                {
                    Assert.True(secretRef is null, $"{where}: expected a value, got a secret");
                    Assert.True(Resolve(deployment, manifestValue) == value, $"{where}: expected {Resolve(deployment, manifestValue)}, the template has {value}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public void The_ingress_serves_the_bindings_of_the_manifest_and_only_the_edge_is_reachable_from_outside(string deploymentName)
    {
        var deployment = Of(deploymentName);
        foreach (var (name, project) in deployment.Projects)
        {
            var app = deployment.Apps[name];
            var bindings = project.GetProperty("bindings").EnumerateObject().ToList();
            var main = MainBinding(project);
            Assert.Equal(main.Value.TryGetProperty("external", out var external) && external.GetBoolean() ? "true" : "false", ContainerAppTemplate.Scalar(app.Ingress, "external"));
            Assert.Equal(main.Value.GetProperty("transport").GetString(), ContainerAppTemplate.Scalar(app.Ingress, "transport"));
            if (main.Value.TryGetProperty("targetPort", out var port))
            {
                Assert.Equal(port.GetInt32().ToString(CultureInfo.InvariantCulture), ContainerAppTemplate.Scalar(app.Ingress, "targetPort"));
            }

            var additional = app.Ingress.Children.TryGetValue(new YamlScalarNode("additionalPortMappings"), out var mappings)
                ? ((YamlSequenceNode)mappings).Cast<YamlMappingNode>().Select(m => (Target: ContainerAppTemplate.Scalar(m, "targetPort"), External: ContainerAppTemplate.Scalar(m, "external"))).ToList()
                : [];
            var expected = bindings.Where(b => b.Name != main.Name)
                .Select(b => (Target: (string?)b.Value.GetProperty("targetPort").GetInt32().ToString(CultureInfo.InvariantCulture), External: (string?)"false")).ToList();
            Assert.Equal(expected.Order(), additional.Order());
        }

        Assert.Equal(["edge"], deployment.Apps.Where(a => ContainerAppTemplate.Scalar(a.Value.Ingress, "external") == "true").Select(a => a.Key));
        Assert.Equal("false", ContainerAppTemplate.Scalar(deployment.Apps["edge"].Ingress, "allowInsecure"));
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public void Every_service_is_probed_on_health_and_alive_conversations_always_runs_and_connectors_run_their_replicas(string deploymentName)
    {
        var deployment = Of(deploymentName);
        foreach (var (name, app) in deployment.Apps)
        {
            var probes = ((YamlSequenceNode)app.Container["probes"]).Cast<YamlMappingNode>()
                .ToDictionary(p => ContainerAppTemplate.Scalar(p, "type")!, p => ContainerAppTemplate.Scalar((YamlMappingNode)p["httpGet"], "path"));
            Assert.Equal(new Dictionary<string, string?> { ["Startup"] = "/alive", ["Liveness"] = "/alive", ["Readiness"] = "/health" }, probes);
        }

        Assert.True(int.Parse(ContainerAppTemplate.Scalar(deployment.Apps["conversations"].Scale, "minReplicas")!, CultureInfo.InvariantCulture) >= 1);
        // A connector runs the deployment file's replicas (default 1), no more, no fewer.
        var connectors = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(deployment.DeploymentFile))!["connectors"]!.AsObject();
        foreach (var (connector, declared) in connectors)
        {
            var replicas = (declared!["replicas"]?.GetValue<int>() ?? 1).ToString(CultureInfo.InvariantCulture);
            var scale = deployment.Apps[$"connector-{connector}"].Scale;
            Assert.Equal((replicas, replicas), (ContainerAppTemplate.Scalar(scale, "minReplicas"), ContainerAppTemplate.Scalar(scale, "maxReplicas")));
        }
        var edgeRules = ((YamlSequenceNode)deployment.Apps["edge"].Scale["rules"]).Cast<YamlMappingNode>();
        Assert.Contains(edgeRules, r => r.Children.ContainsKey(new YamlScalarNode("http")));
        var conversationsRules = ((YamlSequenceNode)deployment.Apps["conversations"].Scale["rules"]).Cast<YamlMappingNode>().ToList();
        // One rule per inbound partition (Byoc.Conversations' RedisKeys.InboundStream, 16 by default).
        Assert.Equal(Enumerable.Range(0, 16).Select(p => $"byoc:v1:{{p:{p}}}:inbound"),
            conversationsRules.Select(r => ContainerAppTemplate.Scalar((YamlMappingNode)((YamlMappingNode)r["custom"])["metadata"], "stream")));
    }

    /// <summary>The binding the main ingress serves: gRPC's (HTTP/2) where there is one, else the only one.</summary>
    private static JsonProperty MainBinding(JsonElement project)
    {
        var bindings = project.GetProperty("bindings").EnumerateObject().ToList();
        var http2 = bindings.Where(b => b.Value.GetProperty("transport").GetString() == "http2").ToList();
        return http2.Count == 1 ? http2[0] : bindings.Single();
    }

    /// <summary>
    /// A manifest value as Azure has it: a binding's URL is <c>http://{app}</c> for the main ingress and
    /// <c>http://{app}:{port}</c> for an additional port; a target port is the binding's, or the main ingress's where
    /// the manifest leaves it to the platform.
    /// </summary>
    private static string Resolve(Deployment deployment, string manifestValue) => Binding().Replace(manifestValue, m =>
    {
        var resource = m.Groups["resource"].Value;
        var project = deployment.Projects[resource];
        var binding = project.GetProperty("bindings").GetProperty(m.Groups["binding"].Value);
        var port = binding.TryGetProperty("targetPort", out var p)
            ? p.GetInt32().ToString(CultureInfo.InvariantCulture)
            : ContainerAppTemplate.Scalar(deployment.Apps[resource].Ingress, "targetPort")!;
        var external = binding.TryGetProperty("external", out var e) && e.GetBoolean();
        return m.Groups["property"].Value switch
        {
            // The public address (BYOC_EDGE_URL): the custom domain, else the Edge's own name.
            "url" when external => ContainerAppTemplate.ValueOf("BYOC_EDGE_URL"),
            "url" => MainBinding(project).Name == m.Groups["binding"].Value ? $"http://{resource}" : $"http://{resource}:{port}",
            "targetPort" => port,
            var other => throw new InvalidOperationException($"the manifest uses {m.Value}: teach the test what {other} is in Azure"),
        };
    });

    [GeneratedRegex(@"^\{(?<resource>[a-z0-9-]+)\.(connectionString|value)\}$")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"\{(?<resource>[a-z0-9-]+)\.bindings\.(?<binding>[a-z0-9-]+)\.(?<property>[A-Za-z]+)\}")]
    private static partial Regex Binding();
}
