// The Byoc app model, in Aspire's vocabulary. `dotnet run --project Byoc.AppHost` runs it locally with our own
// small orchestrator (ARCHITECTURE §6); swapping in real Aspire changes the package, not this file.
var builder = DistributedApplication.CreateBuilder(args);

// The key Byoc's parts present to each other on internal gRPC calls; generated per run unless given
// (Parameters:internal-key), like a secret parameter of Aspire's.
var internalKey = builder.Configuration["Parameters:internal-key"]
    ?? Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

var redis = builder.AddRedis("redis");

var conversations = builder.AddProject<Projects.Byoc_Conversations>("conversations")
    .WithReference(redis)
    .WaitFor(redis)
    .WithReplicas(2)
    .WithEnvironment("Byoc__InternalKey", internalKey)
    .WithHttpHealthCheck("/health", endpointName: "health");

// One connector per platform; Conversations reaches it as http://connector-{name}.
var junglebook = builder.AddProject<Projects.Byoc_Connectors_Junglebook>("connector-junglebook")
    .WithReference(conversations)
    .WaitFor(conversations)
    .WithEnvironment("Byoc__InternalKey", internalKey)
    .WithHttpHealthCheck("/health", endpointName: "web");
conversations.WithReference(junglebook);

var edge = builder.AddProject<Projects.Byoc_Edge>("edge")
    .WithHttpEndpoint(port: 5100)
    .WithExternalHttpEndpoints()
    .WithReference(redis)
    .WithReference(conversations)
    .WithReference(junglebook)
    .WaitFor(conversations)
    .WithEnvironment("Byoc__InternalKey", internalKey)
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", url => { url.Url = "/scalar"; url.DisplayText = "The Edge's API (what CXone calls)"; });

if (builder.Environment.IsDevelopment())
{
    // A CXone tenant and the Junglebook network in miniature; never deployed.
    var sandbox = builder.AddProject<Projects.Byoc_Sandbox>("sandbox")
        .WithHttpEndpoint(port: 5300)
        .WithExternalHttpEndpoints()
        .WithReference(edge)
        .WithHttpHealthCheck("/health")
        .WithUrlForEndpoint("http", url => { url.Url = "/junglebook.html"; url.DisplayText = "1. Junglebook: write to a company as a customer"; })
        .WithUrlForEndpoint("http", url => { url.Url = "/agent.html"; url.DisplayText = "2. CXone agent console: watch it arrive, reply"; });

    conversations.WithReference(sandbox);
    junglebook.WithReference(sandbox);
}

builder.Build().Run();

/// <summary>The AppHost's entry point, named so that tests can start this app model in-process.</summary>
public partial class Program;
