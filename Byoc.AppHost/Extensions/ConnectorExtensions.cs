using Aspire.Hosting.ApplicationModel;
using Byoc.Deployment;

namespace Aspire.Hosting;

public static class ConnectorExtensions
{
    /// <summary>
    /// One project resource per connector a deployment names, <c>connector-{name}</c>, of its type's project:
    /// <list type="bullet">
    /// <item>Conversations reaches it as <c>http://connector-{name}</c> (gRPC, HTTP/2) and accepts its calls with its
    /// own key (<c>internal-key-connector-{name}</c>); it accepts Conversations' calls with Conversations' key;</item>
    /// <item>the Edge forwards <c>/hooks/{name}/…</c> to its <c>web</c> endpoint, where its <c>/health</c> is probed;</item>
    /// <item>it is told its name (<c>Connector__Name</c>), which it serves <c>/hooks/{name}</c> under and names to
    /// Conversations, so a connector named other than its type (<c>support-desk</c> of type webhook) works;</item>
    /// <item>its <c>settings</c> are its configuration under its type's section (<c>Telegram__ApiBaseUrl</c>);</item>
    /// <item>it starts once Conversations is healthy, and with one replica is called directly (no DCP proxy).</item>
    /// </list>
    /// </summary>
    public static IReadOnlyList<(DeploymentConnector Connector, IResourceBuilder<ProjectResource> Project)> AddConnectors(
        this IDistributedApplicationBuilder builder, IEnumerable<DeploymentConnector> connectors,
        IResourceBuilder<ProjectResource> conversations, IResourceBuilder<ParameterResource> conversationsKey, IResourceBuilder<ProjectResource> edge)
    {
        var added = new List<(DeploymentConnector, IResourceBuilder<ProjectResource>)>();
        foreach (var connector in connectors)
        {
            var name = $"connector-{connector.Name}";
            var key = builder.AddInternalKey(name);
            var type = connector.Type.ToLowerInvariant();
            var project = AddProject(builder, type, name).WithLocalRunSettings();
            if (connector.Replicas > 1)
            {
                project.WithReplicas(connector.Replicas);
            }

            project.WithDirectEndpoints()
                .WithoutDerivedHttpsEndpoint()
                .WithReference(conversations)
                .WaitFor(conversations)
                .WithEnvironment("Connector__Name", connector.Name)
                .WithEnvironment("Byoc__InternalKey", key)
                .WithEnvironment("Byoc__InternalCallers__conversations", conversationsKey)
                .WithHttpHealthCheck("/health", endpointName: "web");
            var section = ConnectorTypes.SettingsSection(type);
            foreach (var (setting, value) in connector.Settings)
            {
                project.WithEnvironment($"{section}__{setting.Replace(":", "__", StringComparison.Ordinal)}", value);
            }

            if (type == ConnectorTypes.Telegram && !connector.Settings.ContainsKey("PublicBaseUrl"))
            {
                // Its signed file links are fetched by CXone through the Edge, the only public ingress.
                project.WithEnvironment("Telegram__PublicBaseUrl", edge.GetEndpoint("http"));
            }

            conversations.WithReference(project).WithEnvironment($"Byoc__InternalCallers__{name}", key);
            edge.WithReference(project);
            added.Add((connector, project));
        }

        return added;
    }

    private static IResourceBuilder<ProjectResource> AddProject(IDistributedApplicationBuilder builder, string type, string name) => type switch
    {
        ConnectorTypes.Junglebook => builder.AddProject<Projects.Byoc_Connectors_Junglebook>(name),
        ConnectorTypes.Webhook => builder.AddProject<Projects.Byoc_Connectors_Webhook>(name),
        ConnectorTypes.Telegram => builder.AddProject<Projects.Byoc_Connectors_Telegram>(name),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a connector type."),
    };
}
