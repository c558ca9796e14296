using Byoc.Connectors.Sdk;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>Hosting of a connector: <c>builder.AddByocConnector&lt;TPlatform&gt;()</c> and <c>app.MapByocConnector()</c>.</summary>
public static class ConnectorHosting
{
    public static IHostApplicationBuilder AddByocConnector<TPlatform>(this IHostApplicationBuilder builder)
        where TPlatform : class, IPlatform
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TPlatform>();
        builder.Services.AddSingleton<IPlatform>(sp => sp.GetRequiredService<TPlatform>());
        builder.Services.AddSingleton<AccountDirectory>();
        builder.Services.AddSingleton<WebhookEndpoint>();
        builder.Services.AddGrpc();
        builder.Services.AddGrpcServiceClient<Byoc.Conversations.V1.Inbound.InboundClient>("conversations", TimeSpan.FromSeconds(5));
        builder.Services.AddGrpcServiceClient<Byoc.Conversations.V1.Accounts.AccountsClient>("conversations", TimeSpan.FromSeconds(5));
        builder.Services.AddHealthChecks().AddCheck<PlatformAccountsHealthCheck>("platform", HealthStatus.Degraded);
        return builder;
    }

    public static WebApplication MapByocConnector(this WebApplication app)
    {
        var connector = app.Services.GetRequiredService<IPlatform>().Description.Connector;
        app.MapGrpcService<ConnectorService>();
        app.MapPost($"/hooks/{connector}/{{accountId}}", (HttpContext context, string accountId, WebhookEndpoint webhooks) => webhooks.HandleAsync(context, accountId))
            .WithName($"{connector}Webhook")
            .WithSummary($"Webhooks of {connector}, per platform account.")
            .DisableAntiforgery();
        return app;
    }
}
