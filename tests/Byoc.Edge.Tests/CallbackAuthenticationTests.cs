extern alias edge;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Byoc.Edge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace Byoc.Edge.Tests;

public sealed class CallbackAuthenticationTests(EdgeHost host) : EdgeTest(host)
{
    public static TheoryData<string, string> Callbacks => new()
    {
        { "/1.0/posts/thread-1/messages", """{"messageContent": {"text": "hi"}}""" },
        { $"/2.0/channel/{TestData.ChannelA}/outbound", """{"messageContent": {"type": "TEXT", "payload": {"text": "hi"}}}""" },
        { $"/1.0/channel/{TestData.ChannelA}/recipients/validation", """{"endUserRecipients": [{"idOnExternalPlatform": "+15551234567"}]}""" },
        { $"/1.0/channel/{TestData.ChannelA}/thread/thread-1/sender-action", """{"senderAction": {"action": "isTypingOn"}}""" },
    };

    [Theory]
    [MemberData(nameof(Callbacks))]
    public async Task A_callback_without_a_bearer_answers_401_with_www_authenticate_bearer(string path, string body)
    {
        using var response = await PostAsync(Client, path, body, token: null);

        AssertChallenged(response);
        Assert.Empty(Conversations.Outbound.DeliverCalls);
    }

    [Theory]
    [MemberData(nameof(Callbacks))]
    public async Task A_callback_with_a_malformed_bearer_answers_401(string path, string body)
    {
        using var response = await PostAsync(Client, path, body, token: "not-a-jwt");

        AssertChallenged(response);
    }

    [Fact]
    public async Task A_callback_with_a_token_signed_by_another_key_answers_401()
    {
        var genuine = await TokenAsync(Client);
        var forged = Forge(TokenEndpointTests.JwtPayload(genuine));

        using var response = await PostAsync(Client, $"/2.0/channel/{TestData.ChannelA}/outbound", OutboundBody, forged);

        AssertChallenged(response);
        Assert.Empty(Conversations.Outbound.DeliverCalls);
    }

    [Fact]
    public async Task A_callback_with_an_expired_token_answers_401()
    {
        // A replica whose clock is two hours behind issues a one-hour token that is already expired here.
        await using var lagging = Host.Create(services: s => s.Configure<OpenIddictServerOptions>(o => o.TimeProvider = new ShiftedTime(TimeSpan.FromHours(-2))));
        using var laggingClient = lagging.CreateClient();
        var expired = await TokenAsync(laggingClient);

        using var response = await PostAsync(Client, $"/2.0/channel/{TestData.ChannelA}/outbound", OutboundBody, expired);

        AssertChallenged(response);
    }

    [Fact]
    public async Task A_callback_without_token_then_a_token_request_then_the_retry_succeeds_as_cxone_does_it()
    {
        using var first = await PostAsync(Client, $"/2.0/channel/{TestData.ChannelA}/outbound", OutboundBody, token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);

        var token = await TokenAsync(Client);
        using var retry = await PostAsync(Client, $"/2.0/channel/{TestData.ChannelA}/outbound", OutboundBody, token);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(TestData.IntegrationA, Assert.Single(Conversations.Outbound.DeliverCalls).IntegrationId);
    }

    [Theory]
    [InlineData("outbound")]
    [InlineData("validation")]
    public async Task A_token_of_integration_a_on_a_channel_of_integration_b_answers_404_like_an_unknown_channel_and_is_logged(string operation)
    {
        var token = await TokenAsync(Client, TestData.ClientA, TestData.SecretA);
        var (foreignPath, unknownPath, body) = operation switch
        {
            "outbound" => ($"/2.0/channel/{TestData.ChannelB}/outbound", "/2.0/channel/no-such-channel/outbound", OutboundBody),
            _ => ($"/1.0/channel/{TestData.ChannelB}/recipients/validation", "/1.0/channel/no-such-channel/recipients/validation",
                """{"endUserRecipients": [{"idOnExternalPlatform": "+15551234567"}]}"""),
        };

        using var foreign = await PostAsync(Client, foreignPath, body, token);
        using var unknown = await PostAsync(Client, unknownPath, body, token);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(WithoutTraceId(await JsonOf(unknown)), WithoutTraceId(await JsonOf(foreign)));
        var security = Assert.Single(Host.Edge.Logs.Entries, e => e.EventId.Name == "SecurityCrossIntegrationAccess" && e.Message.Contains(foreignPath, StringComparison.Ordinal));
        Assert.Contains(TestData.IntegrationA, security.Message, StringComparison.Ordinal);
    }

    private const string OutboundBody = """{"thread": {"idOnExternalPlatform": "thread-1"}, "messageContent": {"type": "TEXT", "payload": {"text": "hi"}}}""";

    private static string WithoutTraceId(System.Text.Json.JsonElement problem) =>
        string.Join("|", problem.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}"));

    private static void AssertChallenged(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    // The same claims and header as a genuine token, signed with a key the Edge never saw.
    private static string Forge(System.Text.Json.JsonElement claims)
    {
        using var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa.ExportParameters(true)) { KeyId = "forged" };
        var payload = claims.EnumerateObject().ToDictionary(p => p.Name, p => (object)(p.Value.ValueKind == System.Text.Json.JsonValueKind.Number ? p.Value.GetInt64() : p.Value.ToString()));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = payload,
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }
}
