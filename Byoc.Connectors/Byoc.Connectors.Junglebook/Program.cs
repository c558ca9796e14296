using Byoc.Connectors.Junglebook;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddByocConnector<JunglebookPlatform>();
builder.Services.AddHttpClient(JunglebookPlatform.HttpClientName, (sp, http) =>
    http.BaseAddress = new Uri(sp.GetRequiredService<IConfiguration>()["Junglebook:ApiBaseUrl"] ?? throw new InvalidOperationException("Junglebook:ApiBaseUrl is not set.")));

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapByocConnector();

app.Run();

/// <summary>Named so that tests can host the connector with WebApplicationFactory.</summary>
public partial class Program;
