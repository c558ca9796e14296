extern alias junglebook;
using Byoc.Connectors.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Byoc.Connectors.Tests;

/// <summary>
/// The connector contract's CheckAccount (the admin's "check point of contact"), served by the SDK: Junglebook asks
/// its platform (GET /me with the account's token) and says whether the credentials work, in the platform's words.
/// </summary>
public sealed class CheckAccountTests : IAsyncLifetime
{
    private readonly FakeConversations _conversations = new();
    private LoopbackServer _platform = null!;
    private ConnectorHost<junglebook::Program> _connector = null!;

    public async Task InitializeAsync()
    {
        // Junglebook's /me: only the good token is a profile.
        _platform = await LoopbackServer.StartAsync(HttpProtocols.Http1, _ => { }, app =>
            app.MapGet("/me", (HttpRequest request) => request.Headers.Authorization.ToString() == "Bearer good-token"
                ? Results.Ok(new { profile = "monkeys" })
                : Results.Json(new { error = "unknown token" }, statusCode: StatusCodes.Status401Unauthorized)));
        _conversations.AddAccount("monkeys", new Dictionary<string, string> { ["token"] = "good-token", ["webhookSecret"] = "s" });
        _conversations.AddAccount("impostors", new Dictionary<string, string> { ["token"] = "wrong-token", ["webhookSecret"] = "s" });
        await _conversations.StartAsync();
        _connector = new ConnectorHost<junglebook::Program>(_conversations, new Dictionary<string, string> { ["Junglebook:ApiBaseUrl"] = _platform.Url.ToString() });
    }

    public async Task DisposeAsync()
    {
        await _connector.DisposeAsync();
        await _conversations.DisposeAsync();
        await _platform.DisposeAsync();
    }

    [Fact]
    public async Task An_account_whose_token_the_platform_accepts_checks_ok()
    {
        var answer = await _connector.Connector.CheckAccountAsync(new CheckAccountRequest { AccountId = "monkeys" });

        Assert.True(answer.Ok);
    }

    [Fact]
    public async Task An_account_whose_token_the_platform_refuses_checks_not_ok_with_the_reason()
    {
        var answer = await _connector.Connector.CheckAccountAsync(new CheckAccountRequest { AccountId = "impostors" });

        Assert.False(answer.Ok);
        Assert.Contains("401", answer.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-token", answer.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_account_is_not_found()
    {
        var e = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => _connector.Connector.CheckAccountAsync(new CheckAccountRequest { AccountId = "nobody" }).ResponseAsync);

        Assert.Equal(Grpc.Core.StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task An_account_added_after_start_is_checked_without_waiting_for_the_refresh()
    {
        await _connector.Connector.CheckAccountAsync(new CheckAccountRequest { AccountId = "monkeys" });
        _conversations.AddAccount("newcomers", new Dictionary<string, string> { ["token"] = "good-token", ["webhookSecret"] = "s" });

        var answer = await _connector.Connector.CheckAccountAsync(new CheckAccountRequest { AccountId = "newcomers" });

        Assert.True(answer.Ok);
    }
}
