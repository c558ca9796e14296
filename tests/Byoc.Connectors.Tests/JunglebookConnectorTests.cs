extern alias junglebook;
extern alias sdk;
using System.Net;
using System.Text;
using System.Text.Json;
using sdk::Byoc.Connectors.Sdk;

namespace Byoc.Connectors.Tests;

/// <summary>The Junglebook connector in-process, with a fake Conversations (its webhooks; sends are tested elsewhere).</summary>
public sealed class JunglebookFixture : IAsyncLifetime
{
    public const string Secret = "junglebook-webhook-secret";

    public FakeConversations Conversations { get; } = new();

    public ConnectorHost<junglebook::Program> Connector { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Conversations.AddAccount("monkeys", new Dictionary<string, string> { ["token"] = "t", ["webhookSecret"] = Secret });
        await Conversations.StartAsync();
        Connector = new ConnectorHost<junglebook::Program>(Conversations, new Dictionary<string, string> { ["Junglebook:ApiBaseUrl"] = "http://127.0.0.1:9/" });
    }

    public async Task DisposeAsync()
    {
        await Connector.DisposeAsync();
        await Conversations.DisposeAsync();
    }
}

public sealed class JunglebookConnectorTests(JunglebookFixture fixture) : IClassFixture<JunglebookFixture>
{
    [Fact]
    public async Task A_signed_message_is_ingested()
    {
        var id = $"jb-{Guid.NewGuid():N}";
        using var response = await PostAsync("""{"type":"message","message":{"id":"ID","threadId":"th-1","public":false,"author":{"id":"mowgli","name":"Mowgli"},"text":"hi","createdAt":"2025-07-25T20:05:57Z"}}""".Replace("ID", id, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(fixture.Conversations.Ingested, i => i.Message.ExternalMessageId == id);
    }

    [Theory]
    [InlineData("""{"type":"message","message":{"id":"m-1","threadId":"th-1","public":false,"author":{"name":"Mowgli"},"createdAt":"2025-07-25T20:05:57Z"}}""", "message.author.id")]
    [InlineData("""{"type":"message","message":{"id":"m-1","public":false,"author":{"id":"mowgli"},"createdAt":"2025-07-25T20:05:57Z"}}""", "message.threadId")]
    [InlineData("""{"type":"message"}""", "message")]
    [InlineData("""{"type":"typing","on":true}""", "threadId")]
    public async Task A_signed_event_missing_a_required_field_is_a_bad_request_naming_the_field(string body, string field)
    {
        using var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_webhook_while_Conversations_cannot_name_the_accounts_answers_503_with_Retry_After()
    {
        await using var conversations = new FakeConversations { FailAccountsWith = Grpc.Core.StatusCode.Unavailable };
        await conversations.StartAsync();
        await using var connector = new ConnectorHost<junglebook::Program>(conversations, new Dictionary<string, string> { ["Junglebook:ApiBaseUrl"] = "http://127.0.0.1:9/" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/junglebook/monkeys") { Content = new StringContent("{}") };

        using var response = await connector.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<HttpResponseMessage> PostAsync(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/junglebook/monkeys") { Content = new ByteArrayContent(bytes) };
        request.Headers.Add("X-Junglebook-Timestamp", now.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("X-Junglebook-Signature", WebhookSignature.Sign(JunglebookFixture.Secret, now, bytes));
        return await fixture.Connector.CreateClient().SendAsync(request);
    }
}
