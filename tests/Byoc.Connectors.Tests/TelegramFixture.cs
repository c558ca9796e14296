extern alias telegram;

namespace Byoc.Connectors.Tests;

/// <summary>The Telegram connector in-process, a fake Conversations, and a fake Bot API over real HTTP.</summary>
public sealed class TelegramFixture : IAsyncLifetime
{
    public const string SecretToken = "tg-webhook-secret";
    public const string PublicBaseUrl = "https://byoc.example";

    public FakeConversations Conversations { get; } = new();

    public FakeBotApi BotApi { get; } = new();

    public ConnectorHost<telegram::Program> Connector { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await BotApi.StartAsync();
        Conversations.AddAccount("bot", new Dictionary<string, string> { ["botToken"] = FakeBotApi.Token, ["secretToken"] = SecretToken });
        Conversations.AddAccount("hanging-bot", new Dictionary<string, string> { ["botToken"] = FakeBotApi.HangingToken, ["secretToken"] = SecretToken });
        Conversations.AddAccount("revoked-bot", new Dictionary<string, string> { ["botToken"] = "999999:REVOKED-token", ["secretToken"] = SecretToken });
        await Conversations.StartAsync();
        Connector = new ConnectorHost<telegram::Program>(Conversations, new Dictionary<string, string>
        {
            ["Telegram:ApiBaseUrl"] = BotApi.Url.ToString().TrimEnd('/'),
            ["Telegram:PublicBaseUrl"] = PublicBaseUrl,
            ["Connector:AccountProbeTimeout"] = "00:00:01",
        });
    }

    public async Task DisposeAsync()
    {
        await Connector.DisposeAsync();
        await Conversations.DisposeAsync();
        await BotApi.DisposeAsync();
    }
}
