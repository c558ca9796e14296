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
app.UseJunglebookOutage();
app.UseDefaultFiles();
app.UseStaticFiles();

app.MapCxoneAuthApi();
app.MapDigitalApi();
app.MapSandboxCxoneApi();
app.MapJunglebookApi();
app.MapSandboxJunglebookApi();
app.MapAgentConsoleApi();

app.Run();

/// <summary>Named so that tests can host the simulator with WebApplicationFactory.</summary>
public partial class Program;
