using Byoc.Connectors.Webhook;
using Microsoft.Extensions.Http.Resilience;
using Polly;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddByocConnector<WebhookPlatform>();
#pragma warning disable EXTEXP0001 // The standard handler would also retry 429 and cut at 30 s; outbound POSTs need their own rules.
builder.Services.AddHttpClient(WebhookPlatform.HttpClientName).RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
    .AddResilienceHandler("outbound", (pipeline, context) =>
    {
        var settings = context.ServiceProvider.GetRequiredService<IConfiguration>().GetSection("Webhook");
        // Retrying a POST is safe here: every payload carries its idempotencyKey for the platform to drop repeats.
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = settings.GetValue("Retries", 3),
            Delay = settings.GetValue("RetryDelay", TimeSpan.FromSeconds(1)),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException or Polly.Timeout.TimeoutRejectedException
                || (int?)args.Outcome.Result?.StatusCode >= 500),
        });
        pipeline.AddTimeout(settings.GetValue("AttemptTimeout", TimeSpan.FromSeconds(10)));
    });

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapByocConnector();

app.Run();

/// <summary>Named so that tests can host the connector with WebApplicationFactory.</summary>
public partial class Program;
