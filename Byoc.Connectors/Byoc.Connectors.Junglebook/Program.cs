using Byoc.Connectors.Junglebook;

var builder = WebApplication.CreateBuilder(args);

builder.AddByocConnector<JunglebookPlatform>();
builder.AddPlatformHttpClient(JunglebookPlatform.HttpClientName, baseAddressKey: "Junglebook:ApiBaseUrl");

var app = builder.Build();

app.MapByocConnector();

app.Run();

/// <summary>Named so that tests can host the connector with WebApplicationFactory.</summary>
public partial class Program;
