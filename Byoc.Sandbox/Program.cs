using Byoc.Sandbox.Cxone;
using Byoc.Sandbox.Extensions;
using Byoc.Sandbox.Junglebook;

// The sandbox: a CXone tenant and the Junglebook network in miniature, for local runs and tests only.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCxoneSimulator();
builder.AddJunglebookSimulator();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseCxoneFaults();

app.MapCxoneAuthApi();
app.MapDigitalApi();
app.MapSandboxCxoneApi();
app.MapJunglebookApi();
app.MapGet("/", () => TypedResults.Text("Byoc Sandbox: a CXone simulator (auth, discovery, Digital API) and the Junglebook network, for development and tests.\n"))
    .WithName("SandboxHome")
    .WithSummary("What this service is.");

app.Run();

/// <summary>Named so that tests can host the simulator with WebApplicationFactory.</summary>
public partial class Program;
