using Byoc.Sandbox.Cxone;
using Byoc.Sandbox.Extensions;

// The sandbox: a CXone tenant and the Junglebook network in miniature, for local runs and tests only.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCxoneSimulator();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseCxoneFaults();

app.MapCxoneAuthApi();
app.MapDigitalApi();
app.MapSandboxCxoneApi();
app.MapGet("/", () => TypedResults.Text("Byoc Sandbox: a CXone simulator (auth, discovery, Digital API) for development and tests.\n"))
    .WithName("SandboxHome")
    .WithSummary("What this service is.");

app.Run();

/// <summary>Named so that tests can host the simulator with WebApplicationFactory.</summary>
public partial class Program;
