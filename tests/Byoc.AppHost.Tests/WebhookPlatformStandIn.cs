using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Byoc.AppHost.Tests;

/// <summary>
/// A webhook platform's endpoint on loopback, the point of contact's <c>outboundUrl</c>: takes every agent's message
/// the webhook connector POSTs (answering its id as <c>$.id</c>, as the connector reads by default) and keeps its body.
/// </summary>
public sealed class WebhookPlatformStandIn : IDisposable
{
    private readonly HttpListener _listener = new();

    public WebhookPlatformStandIn(int port)
    {
        OutboundUrl = $"http://127.0.0.1:{port}/outbound";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = AnswerAsync();
    }

    public string OutboundUrl { get; }

    /// <summary>The bodies POSTed to <see cref="OutboundUrl"/>, as they came.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    public void Dispose() => _listener.Close();

    private async Task AnswerAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                Received.Enqueue(await reader.ReadToEndAsync());
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes($$"""{"id":"platform-{{Guid.NewGuid():N}}"}""");
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
