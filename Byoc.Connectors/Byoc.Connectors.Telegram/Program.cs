using Byoc.Connectors.Sdk;
using Byoc.Connectors.Telegram;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddByocConnector<TelegramPlatform>();
#pragma warning disable EXTEXP0001 // sendMessage is not idempotent and 429s are Conversations' to retry: no blind HTTP retries.
builder.Services.AddHttpClient(TelegramPlatform.HttpClientName).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapByocConnector();
// Beside the webhook, under the prefix the Edge exposes: CXone fetches customers' files here.
app.MapGet("/hooks/telegram/{accountId}/files/{fileId}", async (string accountId, string fileId, string? sig, AccountDirectory accounts, TelegramPlatform telegram, CancellationToken cancellationToken) =>
    await accounts.FindAsync(accountId, cancellationToken) is { } account ? await telegram.DownloadAsync(account, fileId, sig, cancellationToken) : Results.NotFound());

app.Run();

/// <summary>Named so that tests can host the connector with WebApplicationFactory.</summary>
public partial class Program;
