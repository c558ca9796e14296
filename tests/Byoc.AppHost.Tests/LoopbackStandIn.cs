using System.Net;
using System.Text;

namespace Byoc.AppHost.Tests;

/// <summary>
/// An outside service on loopback that the app under test calls (no test reaches the internet): answers each request
/// with <see cref="AnswerAsync"/> until disposed.
/// </summary>
public abstract class LoopbackStandIn : IDisposable
{
    private readonly HttpListener _listener = new();

    protected LoopbackStandIn(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = ListenAsync();
    }

    public int Port { get; }

    public void Dispose()
    {
        _listener.Close();
        GC.SuppressFinalize(this);
    }

    /// <summary>Reads the request and answers it; the base class closes the response.</summary>
    protected abstract Task AnswerAsync(HttpListenerContext context);

    protected static async Task WriteJsonAsync(HttpListenerResponse response, int status, string json)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(json));
    }

    private async Task ListenAsync()
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

            await AnswerAsync(context);
            context.Response.Close();
        }
    }
}
