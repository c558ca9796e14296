using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Byoc.Edge.Webhooks;

/// <summary>
/// Where a platform's webhooks go: the <c>web</c> endpoint of the connector named in the path. A connector named
/// <c>junglebook</c> is <c>Edge:Connectors:junglebook</c> if configured, else every address under
/// <c>services:connector-junglebook:web</c> (the AppHost's references; Azure Container Apps' internal names).
/// </summary>
public sealed class ConnectorWebhooks(IConfiguration configuration)
{
    /// <summary>One of the connector's web addresses (spread over its replicas), or null for an unknown connector.</summary>
    public string? Destination(string connector)
    {
        if (!IsName(connector))
        {
            return null;
        }

        if (configuration[$"Edge:Connectors:{connector}"] is { Length: > 0 } configured)
        {
            return configured;
        }

        var replicas = configuration.GetSection($"services:connector-{connector}:web").GetChildren().Select(c => c.Value).OfType<string>().ToArray();
        return replicas.Length == 0 ? null : replicas[Random.Shared.Next(replicas.Length)];
    }

    // Connector names are plain words: nothing from the path may steer the request anywhere else.
    private static bool IsName(string connector) => connector.Length is > 0 and <= 40 && connector.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}

/// <summary>
/// <c>/hooks/{connector}/...</c>: the Edge is the only public ingress, so platforms' webhooks (and file links a
/// connector serves) are forwarded to the connector as they came — raw body and headers intact, because the
/// connector checks the platform's signature over the exact bytes.
/// </summary>
public static class ConnectorWebhooksApi
{
    public static IEndpointRouteBuilder MapConnectorWebhooksApi(this IEndpointRouteBuilder app)
    {
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        });

        app.MapMethods("/hooks/{connector}/{**rest}", ["POST", "GET"], async (HttpContext context, string connector, ConnectorWebhooks webhooks, IHttpForwarder forwarder) =>
            {
                if (webhooks.Destination(connector) is not { } destination)
                {
                    return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No connector '{connector}'.");
                }

                var error = await forwarder.SendAsync(context, destination, invoker, new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(30) });
                if (error == ForwarderError.None || context.Response.HasStarted)
                {
                    return Results.Empty;
                }

                // The platform will send the webhook again: say when.
                context.Response.Headers.RetryAfter = "5";
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: $"The {connector} connector cannot be reached now.", detail: error.ToString());
            })
            .WithName("PlatformWebhook")
            .WithSummary("Forwards a platform's webhook (or a file link) to its connector.")
            .WithDescription("Platforms call https://{edge}/hooks/{connector}/{account}; the connector verifies the signature on the raw body and answers.")
            .AllowAnonymous()
            .DisableAntiforgery();
        return app;
    }
}
