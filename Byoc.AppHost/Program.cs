// The Byoc app model. `dotnet run --project Byoc.AppHost` runs it under Aspire (DCP and the dashboard);
// `--publisher manifest` writes the manifest azd deploys from; `check [file]` only validates a deployment file.
using Byoc.Deployment;
using Microsoft.Extensions.Configuration;

if (args is ["check", .. var file])
{
    // Before Aspire sets anything up: a check needs neither DCP nor the dashboard.
    return DeploymentFileExtensions.Check(file, Console.Out, Console.Error);
}

var builder = DistributedApplication.CreateBuilder(args);

// The connectors of the deployment file (AppHost:DeploymentFile), or without one the sandbox demo's Junglebook
// connector. A file with problems starts nothing: Byoc never runs half-configured.
if (builder.ReadDeployment(Console.Error) is not { } deployment)
{
    return 1;
}

var deploymentFile = builder.Configuration.DeploymentFilePath();

// Each caller of an internal gRPC service has a key of its own (docs/architecture.md, "Credentials and what each can do").
var conversationsKey = builder.AddInternalKey("conversations");
var edgeKey = builder.AddInternalKey("edge");

var redis = builder.AddByocRedis("redis");
// The Edge, the part exposed to the internet, has a Redis user of its own limited to its keys.
var edgeRedis = builder.AddByocRedisUser(redis, "edge", RedisUserExtensions.EdgeRules);
// The Data Protection key rings in Redis are encrypted with it.
var keyRingCertificate = builder.AddKeyRingCertificate();

var conversations = builder.AddProject<Projects.Byoc_Conversations>("conversations")
    .WithLocalRunSettings()
    .WithoutDerivedHttpsEndpoint()
    .WithReference(redis)
    .WaitFor(redis)
    .WithReplicas(2)
    .WithKeyRingCertificate(keyRingCertificate)
    .WithDeploymentFile(deploymentFile)
    .WithEnvironment("Byoc__InternalKey", conversationsKey)
    .WithEnvironment("Byoc__InternalCallers__edge", edgeKey)
    .WithHttpHealthCheck("/health", endpointName: "health");

var edge = builder.AddProject<Projects.Byoc_Edge>("edge")
    .WithLocalRunSettings()
    // A fixed port for the local run only: in Azure the ingress decides (azd refuses a non-default port there).
    .WithHttpEndpoint(port: builder.ExecutionContext.IsRunMode ? 5100 : null)
    .WithExternalHttpEndpoints()
    .WithReference(edgeRedis, connectionName: "redis")
    .WithKeyRingCertificate(keyRingCertificate)
    .WithReference(conversations)
    .WaitFor(conversations)
    .WithEnvironment("Byoc__InternalKey", edgeKey)
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", url => { url.Url = "/scalar"; url.DisplayText = "The Edge's API (what CXone calls)"; });

// One connector per platform: connector-{name}, reached by Conversations as http://connector-{name}, by platforms
// through the Edge at /hooks/{name}.
var connectorProjects = builder.AddConnectors(deployment.Connectors.Values, conversations, conversationsKey, edge);

// A CXone tenant and the Junglebook network in miniature, in Development runs only, never deployed. It stands in for
// what the demo talks to; a deployment file names real tenants instead, so with one it runs only if asked
// (AppHost:Sandbox=true, e.g. for a file whose integration's CXone is http://sandbox).
if (builder.Environment.IsDevelopment() && builder.ExecutionContext.IsRunMode && builder.Configuration.GetValue("AppHost:Sandbox", deploymentFile is null))
{
    var sandbox = builder.AddProject<Projects.Byoc_Sandbox>("sandbox")
        .WithLocalRunSettings()
        .WithHttpEndpoint(port: 5300)
        .WithExternalHttpEndpoints()
        .WithReference(edge)
        .WithHttpHealthCheck("/health")
        .WithUrlForEndpoint("http", url => { url.Url = "/junglebook.html"; url.DisplayText = "1. Junglebook: write to a company as a customer"; })
        .WithUrlForEndpoint("http", http => new() { Url = $"{http.Url}/agent.html", DisplayText = "2. CXone agent console: watch it arrive, reply" });

    conversations.WithReference(sandbox);
    // The sandbox's CXone tenant (Byoc.Sandbox's CxoneSimulatorOptions.TenantId).
    const string SandboxTenantId = "11ee0000-sand-b0x0-0000-000000000001";
    // Admins open the admin UI with their CXone account: the sandbox is the OpenID Connect provider, its admin user
    // is an Admin of its tenant and its supervisor a Viewer (Edge:Admin:Cxone; docs/admin.md).
    edge.WithEnvironment("Edge__Admin__Cxone__Authority", sandbox.GetEndpoint("http"))
        .WithEnvironment("Edge__Admin__Cxone__ClientId", "byoc-admin-sandbox")
        .WithEnvironment("Edge__Admin__Cxone__ClientSecret", "byoc-admin-sandbox-secret")
        .WithEnvironment($"Edge__Admin__Cxone__Tenants__{SandboxTenantId}__Admins__0", "admin@sandbox.example")
        .WithEnvironment($"Edge__Admin__Cxone__Tenants__{SandboxTenantId}__Viewers__0", "supervisor@sandbox.example");
    foreach (var (_, junglebook) in connectorProjects.Where(c => string.Equals(c.Connector.Type, ConnectorTypes.Junglebook, StringComparison.OrdinalIgnoreCase)))
    {
        junglebook.WithReference(sandbox);
    }
}

builder.Build().Run();
return 0;

