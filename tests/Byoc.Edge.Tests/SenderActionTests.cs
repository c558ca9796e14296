using System.Net;
using Byoc.Edge.Tests.Infrastructure;
using Byoc.Messages.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Byoc.Edge.Tests;

public sealed class SenderActionTests(EdgeHost host) : EdgeTest(host)
{
    private const string Path = $"/1.0/channel/{TestData.ChannelA}/thread/thread-42/sender-action";

    [Theory]
    [InlineData("isTypingOn", SenderAction.TypingOn)]
    [InlineData("isTypingOff", SenderAction.TypingOff)]
    public async Task Typing_answers_204_and_is_forwarded_for_the_thread(string action, SenderAction expected)
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path,
            $$"""{"brand": {"id": 1234}, "senderAction": {"action": "{{action}}"}, "authorUser": {"id": 42, "firstName": "Agent", "surname": "Smith"} }""", token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var call = Assert.Single(Conversations.Outbound.SenderActionCalls);
        Assert.Equal((TestData.IntegrationA, TestData.ChannelA, "thread-42", expected), (call.IntegrationId, call.ChannelId, call.ThreadId, call.Action));
        Assert.StartsWith("cxone:sender-action:", call.IdempotencyKey, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"senderAction": {"action": "istypingon"}}""", SenderAction.TypingOn)]
    [InlineData("""{"senderAction": {"action": "ISTYPINGOFF"}}""", SenderAction.TypingOff)]
    [InlineData("""{"action": "isTypingOn"}""", SenderAction.TypingOn)]
    [InlineData("""{"Action": "IsTypingOff"}""", SenderAction.TypingOff)]
    [InlineData("""{"SenderAction": {"Action": "isTypingOn"}}""", SenderAction.TypingOn)]
    [InlineData("""{"senderAction": "isTypingOff"}""", SenderAction.TypingOff)]
    public async Task Typing_is_understood_in_any_casing_nested_or_at_the_top(string body, SenderAction expected)
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path, body, token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(expected, Assert.Single(Conversations.Outbound.SenderActionCalls).Action);
    }

    [Theory]
    [InlineData("""{"senderAction": {"action": "dance"}}""")]
    [InlineData("""{"brand": {"id": 1234}}""")]
    [InlineData("""{"senderAction": {"action": 42}}""")]
    [InlineData("""[1, 2, 3]""")]
    [InlineData("""null""")]
    [InlineData("""{"senderAction": {"action": "isTypingOn" """)]
    [InlineData("""{"action": "isTypingOn", "Action": "isTypingOff"}""")]
    [InlineData("""{"senderAction": {"action": "isTypingOn"}, "SenderAction": {"action": "isTypingOff"}}""")]
    public async Task A_sender_action_not_understood_answers_204_and_is_logged_not_forwarded(string body)
    {
        var token = await TokenAsync(Client);
        var before = Warnings().Count;

        using var response = await PostAsync(Client, Path, body, token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(Conversations.Outbound.SenderActionCalls);
        Assert.True(Warnings().Count > before, "a warning says the sender action was dropped");
    }

    [Fact]
    public async Task A_body_that_is_not_json_answers_204()
    {
        var token = await TokenAsync(Client);
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent("isTypingOn") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(Conversations.Outbound.SenderActionCalls);
    }

    [Fact]
    public async Task The_warning_leaves_the_body_out()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path, """{"senderAction": {"action": "wave-secretly-7731"}}""", token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var entries = SenderActionLogs(Host.Edge);
        Assert.Contains(entries, e => e.Level == LogLevel.Warning);
        Assert.All(entries, e => Assert.DoesNotContain("wave-secretly-7731", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task At_debug_the_body_not_understood_is_logged_redacted()
    {
        await using var edge = Host.Create(new Dictionary<string, string?> { ["Logging:LogLevel:Byoc.Edge.Cxone.SenderActions"] = "Debug" });
        using var client = edge.CreateClient();
        var token = await TokenAsync(client);

        using var response = await PostAsync(client, Path, """{"senderAction": {"action": "wave-secretly-7731"}, "token": "hunter2"}""", token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var body = Assert.Single(SenderActionLogs(edge), e => e.Level == LogLevel.Debug);
        Assert.Contains("wave-secretly-7731", body.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", body.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StatusCode.Unavailable)]
    [InlineData(StatusCode.Internal)]
    [InlineData(StatusCode.NotFound)]
    public async Task Typing_that_conversations_cannot_take_still_answers_204(StatusCode status)
    {
        var token = await TokenAsync(Client);
        Conversations.Outbound.Behaviour.FailWith = status;

        using var response = await PostAsync(Client, Path, """{"senderAction": {"action": "isTypingOn"}}""", token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(response.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task Typing_on_a_channel_of_another_integration_answers_204_and_is_logged_as_a_security_event()
    {
        var token = await TokenAsync(Client);
        var foreignPath = $"/1.0/channel/{TestData.ChannelB}/thread/t-1/sender-action";

        using var response = await PostAsync(Client, foreignPath, """{"senderAction": {"action": "isTypingOn"}}""", token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Single(Host.Edge.Logs.Entries, e => e.EventId.Name == "SecurityCrossIntegrationAccess" && e.Message.Contains(foreignPath, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Typing_without_a_bearer_is_still_401()
    {
        using var response = await PostAsync(Client, Path, """{"senderAction": {"action": "isTypingOn"}}""", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(Conversations.Outbound.SenderActionCalls);
    }

    private static List<LogEntry> SenderActionLogs(EdgeFactory edge) =>
        [.. edge.Logs.Entries.Where(e => e.Category.EndsWith("SenderActions", StringComparison.Ordinal) && e.Message.Contains("thread-42", StringComparison.Ordinal))];

    private List<LogEntry> Warnings() => [.. SenderActionLogs(Host.Edge).Where(e => e.Level == LogLevel.Warning)];
}
