// The Byoc app model. `dotnet run --project Byoc.AppHost` runs it under Aspire (DCP and the dashboard);
// `--publisher manifest` writes the manifest azd deploys from.
var builder = DistributedApplication.CreateBuilder(args);

// Each caller of an internal gRPC service has a key of its own, generated per run unless given
// (Parameters:internal-key-{caller}); a server is given the keys of the callers it accepts, and lets each call only
// its own methods (docs/architecture.md, "Credentials and what each can do").
IResourceBuilder<ParameterResource> InternalKey(string caller) =>
    builder.AddParameter($"internal-key-{caller}", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true);
var conversationsKey = InternalKey("conversations");
var edgeKey = InternalKey("edge");
var junglebookKey = InternalKey("connector-junglebook");

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
    .WithEnvironment("Byoc__InternalKey", conversationsKey)
    .WithEnvironment("Byoc__InternalCallers__edge", edgeKey)
    .WithEnvironment("Byoc__InternalCallers__connector-junglebook", junglebookKey)
    .WithHttpHealthCheck("/health", endpointName: "health");

// One connector per platform; Conversations reaches it as http://connector-{name}.
var junglebook = builder.AddProject<Projects.Byoc_Connectors_Junglebook>("connector-junglebook")
    .WithLocalRunSettings()
    .WithDirectEndpoints()
    .WithoutDerivedHttpsEndpoint()
    .WithReference(conversations)
    .WaitFor(conversations)
    .WithEnvironment("Byoc__InternalKey", junglebookKey)
    .WithEnvironment("Byoc__InternalCallers__conversations", conversationsKey)
    .WithHttpHealthCheck("/health", endpointName: "web");
conversations.WithReference(junglebook);

var edge = builder.AddProject<Projects.Byoc_Edge>("edge")
    .WithLocalRunSettings()
    // A fixed port for the local run only: in Azure the ingress decides (azd refuses a non-default port there).
    .WithHttpEndpoint(port: builder.ExecutionContext.IsRunMode ? 5100 : null)
    .WithExternalHttpEndpoints()
    .WithReference(edgeRedis, connectionName: "redis")
    .WithKeyRingCertificate(keyRingCertificate)
    .WithReference(conversations)
    .WithReference(junglebook)
    .WaitFor(conversations)
    .WithEnvironment("Byoc__InternalKey", edgeKey)
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", url => { url.Url = "/scalar"; url.DisplayText = "The Edge's API (what CXone calls)"; });

if (builder.Environment.IsDevelopment() && builder.ExecutionContext.IsRunMode)
{
    // A CXone tenant and the Junglebook network in miniature; never deployed.
    var sandbox = builder.AddProject<Projects.Byoc_Sandbox>("sandbox")
        .WithLocalRunSettings()
        .WithHttpEndpoint(port: 5300)
        .WithExternalHttpEndpoints()
        .WithReference(edge)
        .WithHttpHealthCheck("/health")
        .WithUrlForEndpoint("http", url => { url.Url = "/junglebook.html"; url.DisplayText = "1. Junglebook: write to a company as a customer"; })
        .WithUrlForEndpoint("http", http => new() { Url = $"{http.Url}/agent.html", DisplayText = "2. CXone agent console: watch it arrive, reply" });

    conversations.WithReference(sandbox);
    junglebook.WithReference(sandbox);
}

builder.Build().Run();
