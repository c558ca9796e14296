using Byoc.Connectors.Telegram;

var builder = WebApplication.CreateBuilder(args);

builder.AddByocConnector<TelegramPlatform>();
// sendMessage is not idempotent and 429s are Conversations' to retry: no blind HTTP retries.
builder.AddPlatformHttpClient(TelegramPlatform.HttpClientName).WithoutBlindRetries();

var app = builder.Build();

app.MapByocConnector();   // an IPlatformFiles: also GET /hooks/telegram/{accountId}/files/{fileId}, its signed file links

app.Run();

/// <summary>Named so that tests can host the connector with WebApplicationFactory.</summary>
public partial class Program;
