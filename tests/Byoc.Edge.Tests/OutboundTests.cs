extern alias edge;
using System.Net;
using System.Text;
using Byoc.Conversations.V1;
using Byoc.Edge.Tests.Infrastructure;
using IdempotencyKeys = edge::Byoc.Edge.Cxone.IdempotencyKeys;

namespace Byoc.Edge.Tests;

public sealed class OutboundTests(EdgeHost host) : EdgeTest(host)
{
    private const string ContractRequest = """
        {
          "brand": { "id": 1234, "friendlyName": "My Brand", "tenantId": "11ee", "businessUnitId": 4607084 },
          "thread": { "idOnExternalPlatform": "thread-22368683", "threadName": "optional subject" },
          "messageContent": { "type": "TEXT", "payload": { "text": "Hello from the agent" } },
          "endUserRecipients": [ { "idOnExternalPlatform": "user-26a80dbd", "name": "Jane Doe", "isPrimary": true, "isPrivate": false } ],
          "attachments": [ { "friendlyName": "invoice.pdf", "url": "https://cxone-storage.example/signed-url" } ],
          "replyToMessage": { "idOnExternalPlatform": "msg-123" },
          "isReplyToSpecificMessage": false,
          "forward": null
        }
        """;

    private static readonly string Path = $"/2.0/channel/{TestData.ChannelA}/outbound";

    [Fact]
    public async Task The_contract_request_is_delivered_with_its_thread_content_recipients_attachment_and_reply_to()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path, ContractRequest, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = Assert.Single(Conversations.Outbound.DeliverCalls);
        Assert.Equal(TestData.IntegrationA, call.IntegrationId);
        Assert.Equal(TestData.ChannelA, call.ChannelId);
        Assert.Equal("thread-22368683", call.ThreadId);
        Assert.Equal(DeliveryContract.Dfo3Outbound, call.Contract);
        Assert.Equal("Hello from the agent", call.Content.Text);
        Assert.Equal("TEXT", call.Content.CxoneType);
        var attachment = Assert.Single(call.Content.Attachments);
        Assert.Equal(("invoice.pdf", "https://cxone-storage.example/signed-url"), (attachment.FileName, attachment.Url));
        Assert.Equal("msg-123", call.ReplyToMessageId);
        var recipient = Assert.Single(call.Recipients);
        Assert.Equal(("user-26a80dbd", "Jane Doe", true, false), (recipient.ExternalId, recipient.Name, recipient.IsPrimary, recipient.IsPrivate));
        Assert.StartsWith("cxone:dfo3-outbound:", call.IdempotencyKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_id_CXone_sends_keys_the_delivery_so_two_identical_messages_are_two_and_a_retry_is_one()
    {
        var token = await TokenAsync(Client);

        foreach (var id in new[] { "req-1", "req-2", "req-1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(ContractRequest, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            request.Headers.Add("Idempotency-Key", id);
            using var response = await Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var calls = Conversations.Outbound.DeliverCalls.ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.False(c.IdempotencyKeyDerived));
        Assert.NotEqual(calls[0].IdempotencyKey, calls[1].IdempotencyKey);
        Assert.Equal(calls[0].IdempotencyKey, calls[2].IdempotencyKey);
    }

    [Fact]
    public async Task A_body_id_keys_the_delivery_and_without_any_id_the_key_is_the_contents_for_quick_retries_only()
    {
        var token = await TokenAsync(Client);
        var withId = ContractRequest.Replace("\"brand\"", "\"id\": \"cx-77\", \"brand\"", StringComparison.Ordinal);

        using var first = await PostAsync(Client, Path, withId, token);
        using var second = await PostAsync(Client, Path, ContractRequest, token);

        var calls = Conversations.Outbound.DeliverCalls.ToList();
        Assert.False(calls[0].IdempotencyKeyDerived);
        Assert.StartsWith("cxone:dfo3-outbound-id:", calls[0].IdempotencyKey, StringComparison.Ordinal);
        Assert.True(calls[1].IdempotencyKeyDerived);
        Assert.StartsWith("cxone:dfo3-outbound:", calls[1].IdempotencyKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_response_has_the_four_keys_of_the_contract_and_the_message_id_at_the_top()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path, ContractRequest, token);

        var body = await JsonOf(response);
        ContractShapes.AssertSameShape(ContractShapes.Outbound, body);
        Assert.Equal("msg-1", body.GetProperty("message").GetProperty("idOnExternalPlatform").GetString());
        Assert.Equal("msg-1", body.GetProperty("idOnExternalPlatform").GetString());
        Assert.Equal("2025-07-25T20:05:57.000+00:00", body.GetProperty("message").GetProperty("createdAtWithMilliseconds").GetString());
        Assert.Equal("https://platform.example/messages/msg-1", body.GetProperty("message").GetProperty("url").GetString());
        Assert.Equal("thread-22368683", body.GetProperty("thread").GetProperty("idOnExternalPlatform").GetString());
        var identity = body.GetProperty("endUserIdentities")[0];
        Assert.Equal(("user-26a80dbd", "Jane", "Doe", "@jane"), (identity.GetProperty("idOnExternalPlatform").GetString(),
            identity.GetProperty("firstName").GetString(), identity.GetProperty("lastName").GetString(), identity.GetProperty("nickname").GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, identity.GetProperty("image").ValueKind);
        Assert.True(body.GetProperty("recipients")[0].GetProperty("isPrimary").GetBoolean());
    }

    [Fact]
    public async Task Recipients_under_the_name_recipients_are_accepted_like_end_user_recipients()
    {
        var token = await TokenAsync(Client);
        var body = ContractRequest.Replace("\"endUserRecipients\"", "\"recipients\"", StringComparison.Ordinal);

        using var response = await PostAsync(Client, Path, body, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("user-26a80dbd", Assert.Single(Assert.Single(Conversations.Outbound.DeliverCalls).Recipients).ExternalId);
        Assert.Equal("user-26a80dbd", (await JsonOf(response)).GetProperty("recipients")[0].GetProperty("idOnExternalPlatform").GetString());
    }

    [Fact]
    public async Task An_agent_initiated_message_without_thread_answers_with_the_thread_the_platform_created()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path,
            """{"messageContent": {"type": "TEXT", "payload": {"text": "Hi Jane"}}, "endUserRecipients": [{"idOnExternalPlatform": "user-1", "name": "Jane Doe"}]}""", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, Assert.Single(Conversations.Outbound.DeliverCalls).ThreadId);
        Assert.Equal("thread-created-by-platform", (await JsonOf(response)).GetProperty("thread").GetProperty("idOnExternalPlatform").GetString());
    }

    [Fact]
    public async Task A_repeated_identical_request_returns_the_first_answer_and_is_sent_once()
    {
        var token = await TokenAsync(Client);

        using var first = await PostAsync(Client, Path, ContractRequest, token);
        using var retry = await PostAsync(Client, Path, ContractRequest, token);

        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        var calls = Conversations.Outbound.DeliverCalls.ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].IdempotencyKey, calls[1].IdempotencyKey);
        Assert.Equal(1, Conversations.Outbound.Sent);
    }

    [Fact]
    public async Task The_same_body_reformatted_or_reordered_gets_the_same_idempotency_key()
    {
        var token = await TokenAsync(Client);
        const string compact = """{"thread":{"idOnExternalPlatform":"t-9"},"messageContent":{"type":"TEXT","payload":{"text":"same"}}}""";
        const string reordered = """
            {
              "messageContent": { "payload": { "text": "same" }, "type": "TEXT" },
              "thread": { "idOnExternalPlatform": "t-9" }
            }
            """;

        using var a = await PostAsync(Client, Path, compact, token);
        using var b = await PostAsync(Client, Path, reordered, token);

        var calls = Conversations.Outbound.DeliverCalls.ToList();
        Assert.Equal(calls[0].IdempotencyKey, calls[1].IdempotencyKey);
    }

    [Fact]
    public async Task Different_requests_get_different_idempotency_keys()
    {
        var token = await TokenAsync(Client);
        string Body(string thread, string text) => $$"""{"thread":{"idOnExternalPlatform":"{{thread}}"},"messageContent":{"type":"TEXT","payload":{"text":"{{text}}" """ + "}}}";

        (await PostAsync(Client, Path, Body("t-1", "one"), token)).Dispose();
        (await PostAsync(Client, Path, Body("t-1", "two"), token)).Dispose();
        (await PostAsync(Client, Path, Body("t-2", "one"), token)).Dispose();

        var keys = Conversations.Outbound.DeliverCalls.Select(c => c.IdempotencyKey).ToList();
        Assert.Equal(3, keys.Distinct().Count());
        Assert.Equal(3, Conversations.Outbound.Sent);
    }

    [Fact]
    public void The_idempotency_key_depends_on_integration_channel_thread_operation_and_body()
    {
        var body = Encoding.UTF8.GetBytes("""{"a": 1, "b": [1, 2]}""");
        var same = Encoding.UTF8.GetBytes("""{ "b": [1,2], "a": 1 }""");
        var key = IdempotencyKeys.ForCxoneRequest("dfo3-outbound", "i", "c", "t", body);

        Assert.Equal(key, IdempotencyKeys.ForCxoneRequest("dfo3-outbound", "i", "c", "t", same));
        Assert.NotEqual(key, IdempotencyKeys.ForCxoneRequest("dfo3-outbound", "other", "c", "t", body));
        Assert.NotEqual(key, IdempotencyKeys.ForCxoneRequest("dfo3-outbound", "i", "other", "t", body));
        Assert.NotEqual(key, IdempotencyKeys.ForCxoneRequest("dfo3-outbound", "i", "c", "other", body));
        Assert.NotEqual(key, IdempotencyKeys.ForCxoneRequest("legacy-reply", "i", "c", "t", body));
        Assert.NotEqual(key, IdempotencyKeys.ForCxoneRequest("dfo3-outbound", "i", "c", "t", Encoding.UTF8.GetBytes("""{"a": 1, "b": [2, 1]}""")));
        // Parts are length-prefixed, so moving a character across a boundary changes the key.
        Assert.NotEqual(IdempotencyKeys.ForCxoneRequest("o", "ab", "c", "t", body), IdempotencyKeys.ForCxoneRequest("o", "a", "bc", "t", body));
    }

    [Fact]
    public async Task The_raw_body_reaches_the_timeline_with_secrets_redacted()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path,
            """{"thread": {"idOnExternalPlatform": "t-1"}, "messageContent": {"type": "TEXT", "payload": {"text": "hi"}}, "accessToken": "leak-me", "meta": {"clientSecret": "leak-me-too"}}""", token);

        var raw = Assert.Single(Conversations.Outbound.DeliverCalls).RawRequest.ToStringUtf8();
        Assert.Contains("\"text\":\"hi\"", raw, StringComparison.Ordinal);
        Assert.Contains("[redacted]", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("leak-me", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_raw_body_kept_for_the_timeline_is_capped_at_the_configured_size()
    {
        var token = await TokenAsync(Client);
        var text = new string('a', 100_000);

        using var response = await PostAsync(Client, Path, $$"""{"messageContent": {"type": "TEXT", "payload": {"text": "{{text}}" """ + "}}}", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(64 * 1024, Assert.Single(Conversations.Outbound.DeliverCalls).RawRequest.Length);
        Assert.Equal(text, Assert.Single(Conversations.Outbound.DeliverCalls).Content.Text);
    }

    [Fact]
    public async Task A_message_with_neither_text_nor_attachment_answers_400_problem_and_is_not_sent()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path, """{"thread": {"idOnExternalPlatform": "t-1"}, "messageContent": {"type": "TEXT", "payload": {}}}""", token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(Conversations.Outbound.DeliverCalls);
    }

    [Fact]
    public async Task An_unknown_channel_answers_404_problem()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, "/2.0/channel/no-such-channel/outbound", ContractRequest, token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
