using System.Net;
using System.Text;

namespace Byoc.AppHost.Tests;

/// <summary>
/// Telegram's Bot API on loopback, as far as a connector's health check goes: <c>getMe</c> answers for
/// <see cref="DeploymentFiles.BotToken"/> and refuses any other token, as Telegram does. Counts the calls it got.
/// </summary>
public sealed class BotApiStandIn : IDisposable
{
    private readonly HttpListener _listener = new();
    private int _getMeCalls;

    public BotApiStandIn(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = AnswerAsync();
    }

    public int Port { get; }

    public int GetMeCalls => Volatile.Read(ref _getMeCalls);

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

            var known = context.Request.Url!.AbsolutePath == $"/bot{DeploymentFiles.BotToken}/getMe";
            if (known)
            {
                Interlocked.Increment(ref _getMeCalls);
            }

            var body = known
                ? """{"ok":true,"result":{"id":123456,"is_bot":true,"first_name":"Jungle bot","username":"jungle_bot"}}"""
                : """{"ok":false,"error_code":401,"description":"Unauthorized"}""";
            context.Response.StatusCode = known ? 200 : 401;
            context.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
