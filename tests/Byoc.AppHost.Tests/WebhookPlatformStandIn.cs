using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Byoc.AppHost.Tests;

/// <summary>
/// A webhook platform's endpoint on loopback, the point of contact's <c>outboundUrl</c>: takes every agent's message
/// the webhook connector POSTs (answering its id as <c>$.id</c>, as the connector reads by default) and keeps its body.
/// </summary>
public sealed class WebhookPlatformStandIn(int port) : LoopbackStandIn(port)
{
    public string OutboundUrl { get; } = $"http://127.0.0.1:{port}/outbound";

    /// <summary>The bodies POSTed to <see cref="OutboundUrl"/>, as they came.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    protected override async Task AnswerAsync(HttpListenerContext context)
    {
        using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
        {
            Received.Enqueue(await reader.ReadToEndAsync());
        }

        await WriteJsonAsync(context.Response, 200, $$"""{"id":"platform-{{Guid.NewGuid():N}}"}""");
    }
}
