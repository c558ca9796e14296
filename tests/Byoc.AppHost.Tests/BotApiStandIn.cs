using System.Net;

namespace Byoc.AppHost.Tests;

/// <summary>
/// Telegram's Bot API on loopback, as far as a connector's health check goes: <c>getMe</c> answers for
/// <see cref="DeploymentFiles.BotToken"/> and refuses any other token, as Telegram does. Counts the calls it got.
/// </summary>
public sealed class BotApiStandIn(int port) : LoopbackStandIn(port)
{
    private int _getMeCalls;

    public int GetMeCalls => Volatile.Read(ref _getMeCalls);

    protected override Task AnswerAsync(HttpListenerContext context)
    {
        var known = context.Request.Url!.AbsolutePath == $"/bot{DeploymentFiles.BotToken}/getMe";
        if (!known)
        {
            return WriteJsonAsync(context.Response, 401, """{"ok":false,"error_code":401,"description":"Unauthorized"}""");
        }

        Interlocked.Increment(ref _getMeCalls);
        return WriteJsonAsync(context.Response, 200, """{"ok":true,"result":{"id":123456,"is_bot":true,"first_name":"Jungle bot","username":"jungle_bot"}}""");
    }
}
