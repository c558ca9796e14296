using System.Net;
using Byoc.Edge.Tests.Infrastructure;
using Byoc.Messages.V1;

namespace Byoc.Edge.Tests;

public sealed class SenderActionTests(EdgeHost host) : EdgeTest(host)
{
    [Theory]
    [InlineData("isTypingOn", SenderAction.TypingOn)]
    [InlineData("isTypingOff", SenderAction.TypingOff)]
    public async Task Typing_answers_204_and_is_forwarded_for_the_thread(string action, SenderAction expected)
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, $"/1.0/channel/{TestData.ChannelA}/thread/thread-42/sender-action",
            $$"""{"brand": {"id": 1234}, "senderAction": {"action": "{{action}}"}, "authorUser": {"id": 42, "firstName": "Agent", "surname": "Smith"} }""", token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var call = Assert.Single(Conversations.Outbound.SenderActionCalls);
        Assert.Equal((TestData.IntegrationA, TestData.ChannelA, "thread-42", expected), (call.IntegrationId, call.ChannelId, call.ThreadId, call.Action));
        Assert.StartsWith("cxone:sender-action:", call.IdempotencyKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_sender_action_answers_400_problem()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, $"/1.0/channel/{TestData.ChannelA}/thread/thread-42/sender-action", """{"senderAction": {"action": "dance"}}""", token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(Conversations.Outbound.SenderActionCalls);
    }
}
