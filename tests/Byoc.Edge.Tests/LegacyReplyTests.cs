using System.Net;
using Byoc.Conversations.V1;
using Byoc.Edge.Tests.Infrastructure;

namespace Byoc.Edge.Tests;

public sealed class LegacyReplyTests(EdgeHost host) : EdgeTest(host)
{
    [Fact]
    public async Task A_legacy_reply_answers_200_with_the_external_message_id_in_the_contract_shape()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, "/1.0/posts/thread-22368683/messages", """{"messageContent": {"text": "Hello"}}""", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonOf(response);
        ContractShapes.AssertSameShape(ContractShapes.LegacyReply, body);
        Assert.Equal("msg-1", body.GetProperty("idOnExternalPlatform").GetString());
    }

    [Fact]
    public async Task Every_field_the_samples_show_is_accepted_and_forwarded()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, "/1.0/posts/post-77/messages", $$"""
            {
              "id": 987654,
              "post": { "channelId": "{{TestData.ChannelA}}" },
              "replyToMessageId": "cxone-msg-1",
              "replyToMessageIdOnExternalPlatform": "ext-msg-1",
              "title": "Re: Order 1234",
              "content": "fallback text",
              "messageContent": { "type": "TEXT", "text": "Hello from the agent" },
              "attachments": [ { "friendlyName": "a.png", "url": "https://cxone-storage.example/a.png" } ]
            }
            """, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = Assert.Single(Conversations.Outbound.DeliverCalls);
        Assert.Equal(DeliveryContract.LegacyPosts, call.Contract);
        Assert.Equal(TestData.IntegrationA, call.IntegrationId);
        Assert.Equal(TestData.ChannelA, call.ChannelId);
        Assert.Equal("post-77", call.ThreadId);
        Assert.Equal("Hello from the agent", call.Content.Text);
        Assert.Equal("ext-msg-1", call.ReplyToMessageId);
        Assert.Equal("a.png", Assert.Single(call.Content.Attachments).FileName);
        Assert.StartsWith("cxone:legacy-reply:", call.IdempotencyKey, StringComparison.Ordinal);
        Assert.Contains("Re: Order 1234", call.RawRequest.ToStringUtf8(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"content": "hi", "post": {"idOnExternalPlatform": "thread-from-post"}}""", "thread-from-post")]
    [InlineData("""{"content": "hi", "thread": {"idOnExternalPlatform": "thread-from-thread"}}""", "thread-from-thread")]
    [InlineData("""{"content": "hi", "post": {"idOnExternalPlatform": "thread-from-post"}, "thread": {"idOnExternalPlatform": "thread-from-thread"}}""", "thread-from-post")]
    [InlineData("""{"content": "hi", "post": {"idOnExternalPlatform": ""}, "thread": {"idOnExternalPlatform": " "}}""", "post-in-path")]
    [InlineData("""{"content": "hi", "post": {"id": "cxone-post-9"}}""", "post-in-path")]
    [InlineData("""{"content": "hi"}""", "post-in-path")]
    public async Task The_thread_is_the_bodys_idOnExternalPlatform_when_it_has_one_else_the_post_id_of_the_path(string body, string expectedThread)
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, "/1.0/posts/post-in-path/messages", body, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expectedThread, Assert.Single(Conversations.Outbound.DeliverCalls).ThreadId);
    }

    [Fact]
    public async Task A_body_naming_no_channel_leaves_the_channel_to_conversations_and_uses_content_as_text()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, "/1.0/posts/post-1/messages", """{"content": "plain content"}""", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = Assert.Single(Conversations.Outbound.DeliverCalls);
        Assert.Equal(string.Empty, call.ChannelId);
        Assert.Equal("plain content", call.Content.Text);
    }

    [Fact]
    public async Task A_repeated_legacy_reply_is_sent_once_and_answers_the_same_id()
    {
        var token = await TokenAsync(Client);

        using var first = await PostAsync(Client, "/1.0/posts/post-1/messages", """{"content": "once"}""", token);
        using var retry = await PostAsync(Client, "/1.0/posts/post-1/messages", """{"content": "once"}""", token);

        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(1, Conversations.Outbound.Sent);
    }

    [Fact]
    public async Task A_reply_with_nothing_to_deliver_answers_400_problem()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, "/1.0/posts/post-1/messages", """{"title": "only a title"}""", token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(Conversations.Outbound.DeliverCalls);
    }

    [Fact]
    public async Task A_reply_on_a_channel_of_another_integration_answers_404()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, "/1.0/posts/post-1/messages", $$"""{"post": {"channelId": "{{TestData.ChannelB}}"}, "content": "x"}""", token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
