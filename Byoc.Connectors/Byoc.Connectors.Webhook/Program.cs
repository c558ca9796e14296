using Byoc.Connectors.Webhook;

var builder = WebApplication.CreateBuilder(args);

builder.AddByocConnector<WebhookPlatform>();
// Retrying a POST is safe here: every payload carries its idempotencyKey for the platform to drop repeats.
builder.AddPlatformHttpClient(WebhookPlatform.HttpClientName).WithIdempotentRetries("Webhook");

var app = builder.Build();

app.MapByocConnector();

app.Run();

/// <summary>Named so that tests can host the connector with WebApplicationFactory.</summary>
public partial class Program;
