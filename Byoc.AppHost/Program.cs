// The Byoc app model. `dotnet run --project Byoc.AppHost` runs it under Aspire (DCP and the dashboard);
// `--publisher manifest` writes the manifest azd deploys from.
var builder = DistributedApplication.CreateBuilder(args);

// The key Byoc's parts present to each other on internal gRPC calls; generated per run unless given
// (Parameters:internal-key).
var internalKey = builder.AddParameter("internal-key", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true);

var redis = builder.AddByocRedis("redis");

var conversations = builder.AddProject<Projects.Byoc_Conversations>("conversations")
    .WithLocalRunSettings()
    .WithoutDerivedHttpsEndpoint()
    .WithReference(redis)
    .WaitFor(redis)
    .WithReplicas(2)
    .WithEnvironment("Byoc__InternalKey", internalKey)
    .WithHttpHealthCheck("/health", endpointName: "health");

// One connector per platform; Conversations reaches it as http://connector-{name}.
var junglebook = builder.AddProject<Projects.Byoc_Connectors_Junglebook>("connector-junglebook")
    .WithLocalRunSettings()
    .WithDirectEndpoints()
    .WithoutDerivedHttpsEndpoint()
    .WithReference(conversations)
    .WaitFor(conversations)
    .WithEnvironment("Byoc__InternalKey", internalKey)
    .WithHttpHealthCheck("/health", endpointName: "web");
conversations.WithReference(junglebook);

var edge = builder.AddProject<Projects.Byoc_Edge>("edge")
    .WithLocalRunSettings()
    .WithHttpEndpoint(port: 5100)
    .WithExternalHttpEndpoints()
    .WithReference(redis)
    .WithReference(conversations)
    .WithReference(junglebook)
    .WaitFor(conversations)
    .WithEnvironment("Byoc__InternalKey", internalKey)
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
