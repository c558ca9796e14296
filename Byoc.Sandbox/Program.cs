// The sandbox: a CXone tenant and the Junglebook network in miniature, for local runs and tests only.
// The CXone simulator and the Junglebook pages arrive with their own issue; today it only joins the app model.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGet("/", () => TypedResults.Text("Byoc Sandbox: CXone and Junglebook simulators (development only).\n"))
    .WithName("SandboxHome")
    .WithSummary("What this service is.");

app.Run();
