using Byoc.Connectors.Sdk;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Hosting of a connector: <c>builder.AddByocConnector&lt;TPlatform&gt;()</c>, the platform's HttpClient
/// (<c>builder.AddPlatformHttpClient(...)</c>) and <c>app.MapByocConnector()</c>.
/// </summary>
public static class ConnectorHosting
{
    /// <summary>The connector's services, with ServiceDefaults (telemetry, service discovery, health checks) that every connector needs.</summary>
    public static IHostApplicationBuilder AddByocConnector<TPlatform>(this IHostApplicationBuilder builder)
        where TPlatform : class, IPlatform
    {
        builder.AddServiceDefaults();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TPlatform>();
        builder.Services.AddSingleton<IPlatform>(sp => sp.GetRequiredService<TPlatform>());
        builder.Services.AddSingleton(sp => ConnectorName.From(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IPlatform>().Description));
        builder.Services.AddSingleton<AccountDirectory>();
        builder.Services.AddSingleton<WebhookEndpoint>();
        builder.Services.AddGrpc(o => o.Interceptors.Add<Byoc.ServiceDefaults.InternalCallerInterceptor>());
        // Only Conversations calls a connector's contract.
        Byoc.ServiceDefaults.InternalCallers.AddInternalCallers(builder.Services, new(new Dictionary<string, string[]>
        {
            ["conversations"] = [Byoc.Connectors.V1.Connector.Descriptor.FullName],
        }));
        // Inbound calls are retried by the webhook endpoint itself (ReplicaFailover): gRPC's retry policy would buffer
        // every message on the hot path. The rare account reads take the policy.
        builder.Services.AddGrpcServiceClient<Byoc.Conversations.V1.Inbound.InboundClient>("conversations", TimeSpan.FromSeconds(5));
        builder.Services.AddGrpcServiceClient<Byoc.Conversations.V1.Accounts.AccountsClient>("conversations", TimeSpan.FromSeconds(5), retryUnavailable: true);
        builder.Services.AddHealthChecks().AddCheck<PlatformAccountsHealthCheck>("platform", HealthStatus.Degraded);
        return builder;
    }

    /// <summary>
    /// The platform's named HttpClient; with <paramref name="baseAddressKey"/>, its base address is read from that
    /// configuration key, and missing it fails the first call with the key's name.
    /// </summary>
    public static IHttpClientBuilder AddPlatformHttpClient(this IHostApplicationBuilder builder, string name, string? baseAddressKey = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // No blind retries by default: a platform's send is rarely idempotent, and a retried POST can reach the
        // customer twice. A platform that drops repeats opts in with WithIdempotentRetries.
        return builder.Services.AddHttpClient(name, (sp, http) =>
        {
            if (baseAddressKey is not null)
            {
                http.BaseAddress = new Uri(sp.GetRequiredService<IConfiguration>()[baseAddressKey] ?? throw new InvalidOperationException($"{baseAddressKey} is not set."));
            }
        }).WithoutBlindRetries();
    }

    /// <summary>
    /// Takes off the standard resilience handler ServiceDefaults gives every client: it retries any method and 429s,
    /// which sends a message twice on a platform that does not drop repeats, and Conversations owns retries after 429.
    /// </summary>
    public static IHttpClientBuilder WithoutBlindRetries(this IHttpClientBuilder http)
    {
#pragma warning disable EXTEXP0001 // The only supported way to undo ConfigureHttpClientDefaults' resilience for one client.
        return http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }

    /// <summary>
    /// Retries read from the configuration section <paramref name="section"/>: <c>Retries</c> (3) with exponential
    /// backoff and jitter from <c>RetryDelay</c> (1 s), and <c>AttemptTimeout</c> (10 s) per attempt. Any request is
    /// retried when it never connected (<see cref="PlatformApi.NeverConnected"/>); after it may have left (5xx,
    /// timeout, reset) only a request the platform may get twice is (<see cref="PlatformApi.IsRetrySafe"/>: GET,
    /// a typing indicator): an agent's message is never sent again on a guess. 4xx and 429 are never retried
    /// here: refusals are final and Conversations owns rate-limit retries.
    /// </summary>
    public static IHttpClientBuilder WithIdempotentRetries(this IHttpClientBuilder http, string section)
    {
        http.WithoutBlindRetries().AddResilienceHandler("idempotent-retries", (pipeline, context) =>
        {
            var settings = context.ServiceProvider.GetRequiredService<IConfiguration>().GetSection(section);
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = settings.GetValue("Retries", 3),
                Delay = settings.GetValue("RetryDelay", TimeSpan.FromSeconds(1)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(PlatformApi.NeverConnected(args.Outcome.Exception)
                    || (PlatformApi.IsRetrySafe(args.Context.GetRequestMessage())
                        && (args.Outcome.Exception is HttpRequestException or Polly.Timeout.TimeoutRejectedException || (int?)args.Outcome.Result?.StatusCode >= 500))),
            });
            pipeline.AddTimeout(settings.GetValue("AttemptTimeout", TimeSpan.FromSeconds(10)));
        });
        return http;
    }

    /// <summary>
    /// ServiceDefaults' <c>/health</c> and <c>/alive</c>, the gRPC connector service, <c>POST /hooks/{connector}/{accountId}</c> for webhooks and, for an
    /// <see cref="IPlatformFiles"/>, <c>GET /hooks/{connector}/{accountId}/files/{fileId}</c> for its signed file links;
    /// <c>{connector}</c> is the <see cref="ConnectorName"/>, and an invalid one fails here, before anything is served.
    /// </summary>
    public static WebApplication MapByocConnector(this WebApplication app)
    {
        var connector = app.Services.GetRequiredService<ConnectorName>().Value;
        app.MapDefaultEndpoints();
        app.MapGrpcService<ConnectorService>();
        app.MapPost($"/hooks/{connector}/{{accountId}}", (HttpContext context, string accountId, WebhookEndpoint webhooks) => webhooks.HandleAsync(context, accountId))
            .WithName($"{connector}Webhook")
            .WithSummary($"Webhooks of {connector}, per platform account.")
            .DisableAntiforgery();
        if (app.Services.GetRequiredService<IPlatform>() is IPlatformFiles files)
        {
            // Beside the webhook, under the prefix the Edge exposes: CXone fetches customers' files here.
            app.MapGet($"/hooks/{connector}/{{accountId}}/files/{{fileId}}", (string accountId, string fileId, long? exp, string? sig, AccountDirectory accounts, TimeProvider time, CancellationToken cancellationToken) =>
                FileLinks.ServeAsync(files, accounts, time, accountId, fileId, exp, sig, cancellationToken))
                .WithName($"{connector}Files")
                .WithSummary($"Customers' files of {connector}, behind signed links.");
        }

        return app;
    }
}
