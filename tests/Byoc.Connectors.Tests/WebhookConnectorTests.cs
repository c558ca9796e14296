extern alias sdk;
using System.Net;
using System.Text;
using System.Text.Json;
using Byoc.Connectors.V1;
using Byoc.Messages.V1;
using Grpc.Core;
using sdk::Byoc.Connectors.Sdk;

namespace Byoc.Connectors.Tests;

public sealed class WebhookConnectorTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private static int s_next;

    [Fact]
    public async Task A_signed_webhook_is_ingested_with_every_mapped_field()
    {
        var id = Unique();
        using var response = await PostAsync("ok", Event(id), WebhookFixture.Secret, Now);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ingest = Assert.Single(fixture.Conversations.Ingested, i => i.Message.ExternalMessageId == id);
        Assert.Equal("webhook", ingest.Connector);
        Assert.Equal("ok", ingest.AccountId);
        Assert.Equal($"webhook:ok:{id}", ingest.IdempotencyKey);
        var message = ingest.Message;
        Assert.Equal("t-7", message.ExternalThreadId);
        Assert.Equal("Order 1234", message.ThreadName);
        Assert.Equal("u-42", message.Author.ExternalId);
        Assert.Equal("Jane Doe", message.Author.FirstName);
        Assert.Equal("Where is my order?", message.Content.Text);
        Assert.Equal(DateTimeOffset.Parse("2025-07-25T20:05:57Z"), message.CreatedAt.ToDateTimeOffset());
        Assert.Collection(message.Content.Attachments,
            a =>
            {
                Assert.Equal("https://files.example/receipt.pdf", a.Url);
                Assert.Equal("receipt.pdf", a.FileName);
            },
            a => Assert.Equal("https://files.example/photo.jpg", a.Url));
    }

    [Fact]
    public async Task A_webhook_with_only_the_required_fields_is_ingested_without_text_or_attachments()
    {
        var id = Unique();
        var body = """{"event":{"id":"ID","conversation":{"id":"t-8"},"from":{"id":"u-1"}}}""".Replace("ID", id, StringComparison.Ordinal);

        using var response = await PostAsync("ok", body, WebhookFixture.Secret, Now);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = Assert.Single(fixture.Conversations.Ingested, i => i.Message.ExternalMessageId == id).Message;
        Assert.Equal(string.Empty, message.Content.Text);
        Assert.Empty(message.Content.Attachments);
    }

    [Fact]
    public async Task A_webhook_signed_with_the_wrong_secret_is_refused_and_not_ingested()
    {
        var id = Unique();
        using var response = await PostAsync("ok", Event(id), "not-the-secret", Now);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(fixture.Conversations.Ingested, i => i.Message.ExternalMessageId == id);
    }

    [Fact]
    public async Task A_webhook_with_a_stale_timestamp_is_refused_as_a_replay()
    {
        var id = Unique();
        using var response = await PostAsync("ok", Event(id), WebhookFixture.Secret, Now - 600);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(fixture.Conversations.Ingested, i => i.Message.ExternalMessageId == id);
    }

    [Fact]
    public async Task A_webhook_whose_body_changed_by_one_byte_after_signing_is_refused()
    {
        var id = Unique();
        var body = Encoding.UTF8.GetBytes(Event(id));
        var timestamp = Now;
        var signature = WebhookSignature.Sign(WebhookFixture.Secret, timestamp, body);
        body[^3] ^= 1;

        using var response = await SendAsync("ok", body, timestamp.ToString(), signature);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(fixture.Conversations.Ingested, i => i.Message.ExternalMessageId == id);
    }

    [Fact]
    public async Task An_account_reads_its_signature_from_the_headers_it_configured()
    {
        var id = Unique();
        var body = Encoding.UTF8.GetBytes(Event(id));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/webhook/custom-headers") { Content = new ByteArrayContent(body) };
        request.Headers.Add("X-Shop-Time", Now.ToString());
        request.Headers.Add("X-Shop-Signature", "sha256=" + WebhookSignature.Sign(WebhookFixture.Secret, Now, body));

        using var response = await fixture.Connector.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(fixture.Conversations.Ingested, i => i.Message.ExternalMessageId == id);
    }

    [Fact]
    public async Task A_genuine_webhook_without_the_mapped_message_id_is_a_bad_request()
    {
        using var response = await PostAsync("ok", """{"event":{"conversation":{"id":"t-1"},"from":{"id":"u-1"}}}""", WebhookFixture.Secret, Now);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("$.event.id", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("InvalidArgument", HttpStatusCode.BadRequest)]
    [InlineData("NotFound", HttpStatusCode.NotFound)]
    [InlineData("Unavailable", HttpStatusCode.ServiceUnavailable)]
    [InlineData("Internal", HttpStatusCode.ServiceUnavailable)]
    public async Task What_Conversations_answers_a_webhook_becomes_the_platforms_status_never_a_500(string conversationsAnswers, HttpStatusCode expected)
    {
        using var response = await PostAsync("ok", Event($"answer-{conversationsAnswers}-{Unique()}"), WebhookFixture.Secret, Now);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected == HttpStatusCode.ServiceUnavailable, response.Headers.RetryAfter is not null);
    }

    [Fact]
    public async Task An_ingest_that_meets_a_replica_going_away_is_retried_and_taken_once()
    {
        var id = $"gone-2-{Unique()}";

        using var response = await PostAsync("ok", Event(id), WebhookFixture.Secret, Now);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, fixture.Conversations.Attempts[id]);
        Assert.Single(fixture.Conversations.Ingested, i => i.Message.ExternalMessageId == id);
    }

    [Fact]
    public async Task An_agent_message_is_posted_signed_with_the_documented_payload_and_the_answer_gives_its_id()
    {
        var key = Unique();
        var content = new MessageContent { Text = "Your parcel left today.", Attachments = { new Attachment { Url = "https://cdn.example/label.pdf", FileName = "label.pdf", MimeType = "application/pdf", SizeBytes = 2048 } } };

        var sent = await fixture.Connector.Connector.SendAsync(new SendRequest { IdempotencyKey = key, AccountId = "ok", ExternalThreadId = "t-7", Content = content, ReplyToExternalMessageId = "m-1" });

        Assert.StartsWith("p-", sent.ExternalMessageId, StringComparison.Ordinal);
        Assert.Empty(sent.Degradations);
        var (_, headers, body) = Assert.Single(fixture.ReceivedAt("/platform/ok"), r => Encoding.UTF8.GetString(r.Body).Contains(key, StringComparison.Ordinal));
        WebhookSignature.Verify(WebhookFixture.Secret, headers["X-Byoc-Timestamp"], headers["X-Byoc-Signature"], body, TimeProvider.System);
        var payload = JsonDocument.Parse(body).RootElement;
        Assert.Equal("message", payload.GetProperty("type").GetString());
        Assert.Equal(key, payload.GetProperty("idempotencyKey").GetString());
        Assert.Equal("ok", payload.GetProperty("accountId").GetString());
        Assert.Equal("t-7", payload.GetProperty("threadId").GetString());
        Assert.Equal("Your parcel left today.", payload.GetProperty("text").GetString());
        Assert.Equal("m-1", payload.GetProperty("replyToMessageId").GetString());
        var attachment = Assert.Single(payload.GetProperty("attachments").EnumerateArray().ToList());
        Assert.Equal("https://cdn.example/label.pdf", attachment.GetProperty("url").GetString());
        Assert.Equal("label.pdf", attachment.GetProperty("name").GetString());
        Assert.Equal("application/pdf", attachment.GetProperty("mimeType").GetString());
        Assert.Equal(2048, attachment.GetProperty("sizeBytes").GetInt64());
    }

    [Fact]
    public async Task An_agent_starting_a_conversation_names_the_recipients_and_no_thread()
    {
        var key = Unique();

        await fixture.Connector.Connector.SendAsync(new SendRequest
        {
            IdempotencyKey = key,
            AccountId = "ok",
            Recipients = { new Recipient { ExternalId = "u-9", Name = "Mowgli", IsPrimary = true } },
            Content = new MessageContent { Text = "Hello" },
        });

        var payload = JsonDocument.Parse(Assert.Single(fixture.ReceivedAt("/platform/ok"), r => Encoding.UTF8.GetString(r.Body).Contains(key, StringComparison.Ordinal)).Body).RootElement;
        Assert.False(payload.TryGetProperty("threadId", out _));
        var recipient = Assert.Single(payload.GetProperty("recipients").EnumerateArray().ToList());
        Assert.Equal("u-9", recipient.GetProperty("id").GetString());
        Assert.Equal("Mowgli", recipient.GetProperty("name").GetString());
        Assert.True(recipient.GetProperty("primary").GetBoolean());
    }

    [Fact]
    public async Task Quick_replies_reach_the_platform_as_numbered_text_and_the_agent_is_told()
    {
        var key = Unique();
        var content = new MessageContent { Text = "Pick one:", QuickReplies = { new QuickReply { Text = "Track" }, new QuickReply { Text = "Return" } } };

        var sent = await fixture.Connector.Connector.SendAsync(new SendRequest { IdempotencyKey = key, AccountId = "ok", ExternalThreadId = "t-7", Content = content });

        Assert.Equal("2 quick replies sent as numbered text", Assert.Single(sent.Degradations));
        var payload = JsonDocument.Parse(Assert.Single(fixture.ReceivedAt("/platform/ok"), r => Encoding.UTF8.GetString(r.Body).Contains(key, StringComparison.Ordinal)).Body).RootElement;
        Assert.Equal("Pick one:\n1. Track\n2. Return", payload.GetProperty("text").GetString());
    }

    [Fact]
    public async Task An_account_signs_outbound_posts_with_the_headers_it_configured()
    {
        var key = Unique();

        await fixture.Connector.Connector.SendAsync(new SendRequest { IdempotencyKey = key, AccountId = "custom-headers", ExternalThreadId = "t-1", Content = new MessageContent { Text = "hi" } });

        var (_, headers, body) = Assert.Single(fixture.ReceivedAt("/platform/custom-headers"));
        WebhookSignature.Verify(WebhookFixture.Secret, headers["X-Shop-Time"], headers["X-Shop-Signature"], body, TimeProvider.System);
        Assert.False(headers.ContainsKey("X-Byoc-Signature"));
    }

    [Fact]
    public async Task A_platform_answering_5xx_to_a_message_is_not_posted_again_and_the_outcome_is_unknown()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Connector.Connector.SendAsync(new SendRequest { IdempotencyKey = Unique(), AccountId = "flaky", ExternalThreadId = "t-1", Content = new MessageContent { Text = "hi" } }).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(SendFailureKind.Unknown, Failure(error).Kind);
        Assert.Single(fixture.ReceivedAt("/platform/flaky"));
    }

    [Fact]
    public async Task A_connection_reset_after_the_message_was_posted_is_an_unknown_outcome_and_not_posted_again()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Connector.Connector.SendAsync(new SendRequest { IdempotencyKey = Unique(), AccountId = "reset", ExternalThreadId = "t-1", Content = new MessageContent { Text = "hi" } }).ResponseAsync);

        Assert.NotEqual(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(SendFailureKind.Unknown, Failure(error).Kind);
        Assert.Single(fixture.ReceivedAt("/platform/reset"));
    }

    [Fact]
    public async Task A_platform_refusing_the_connection_is_retried_and_then_reported_as_not_sent()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Connector.Connector.SendAsync(new SendRequest { IdempotencyKey = Unique(), AccountId = "closed", ExternalThreadId = "t-1", Content = new MessageContent { Text = "hi" } }).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(SendFailureKind.NotSent, Failure(error).Kind);
    }

    [Fact]
    public async Task A_typing_event_answered_5xx_is_posted_again_because_showing_it_twice_is_harmless()
    {
        await fixture.Connector.Connector.SendSenderActionAsync(new SendSenderActionRequest { AccountId = "flaky-typing", ExternalThreadId = "t-1", Action = SenderAction.TypingOn });

        Assert.Equal(3, fixture.ReceivedAt("/platform/flaky-typing").Count);
    }

    [Fact]
    public async Task A_platform_that_does_not_answer_in_time_makes_the_send_unknown_and_it_is_not_posted_again()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Connector.Connector.SendAsync(new SendRequest { IdempotencyKey = Unique(), AccountId = "slow", ExternalThreadId = "t-1", Content = new MessageContent { Text = "hi" } }).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(SendFailureKind.Unknown, Failure(error).Kind);
        // The attempt was cut by the timeout and not retried (on a loaded machine it may be cut before it arrives).
        Assert.InRange(fixture.ReceivedAt("/platform/slow").Count, 0, 1);
    }

    [Fact]
    public async Task A_platform_refusing_with_4xx_fails_the_send_for_good_without_retrying()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Connector.Connector.SendAsync(new SendRequest { IdempotencyKey = Unique(), AccountId = "refuses", ExternalThreadId = "t-1", Content = new MessageContent { Text = "hi" } }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(SendFailureKind.Refused, Failure(error).Kind);
        Assert.Single(fixture.ReceivedAt("/platform/refuses"));
    }

    [Fact]
    public async Task A_platform_answer_without_an_id_keeps_the_message_under_its_idempotency_key()
    {
        var key = Unique();

        var sent = await fixture.Connector.Connector.SendAsync(new SendRequest { IdempotencyKey = key, AccountId = "no-id", ExternalThreadId = "t-1", Content = new MessageContent { Text = "hi" } });

        Assert.Equal(key, sent.ExternalMessageId);
    }

    [Fact]
    public async Task Typing_is_posted_to_the_platform_as_a_typing_event()
    {
        var thread = Unique();

        await fixture.Connector.Connector.SendSenderActionAsync(new SendSenderActionRequest { AccountId = "ok", ExternalThreadId = thread, Action = SenderAction.TypingOn });

        // This connector opts into retries (the platform drops repeats), so a slow attempt may be posted again:
        // every post for the thread must be the same typing event.
        var posts = fixture.ReceivedAt("/platform/ok").Where(r => Encoding.UTF8.GetString(r.Body).Contains(thread, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(posts);
        Assert.All(posts, post =>
        {
            var payload = JsonDocument.Parse(post.Body).RootElement;
            Assert.Equal("typing", payload.GetProperty("type").GetString());
            Assert.True(payload.GetProperty("on").GetBoolean());
        });
        Assert.Single(posts.Select(p => Encoding.UTF8.GetString(p.Body)).Distinct());
    }

    [Fact]
    public async Task Recipients_are_checked_against_the_configured_pattern()
    {
        var valid = await fixture.Connector.Connector.ValidateRecipientsAsync(new ValidateRecipientsRequest { AccountId = "pattern", Recipients = { new Recipient { ExternalId = "+420123456789" } } });
        var invalid = await fixture.Connector.Connector.ValidateRecipientsAsync(new ValidateRecipientsRequest { AccountId = "pattern", Recipients = { new Recipient { ExternalId = "jane@example.com" } } });

        Assert.True(valid.Valid);
        Assert.False(invalid.Valid);
        Assert.Contains("jane@example.com", Assert.Single(invalid.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recipients_are_checked_by_the_configured_callback_which_answers_200_for_valid_ones()
    {
        var valid = await fixture.Connector.Connector.ValidateRecipientsAsync(new ValidateRecipientsRequest { AccountId = "callback", Recipients = { new Recipient { ExternalId = "known-1" } } });
        var invalid = await fixture.Connector.Connector.ValidateRecipientsAsync(new ValidateRecipientsRequest { AccountId = "callback", Recipients = { new Recipient { ExternalId = "stranger" } } });

        Assert.True(valid.Valid);
        Assert.False(invalid.Valid);
        var (_, headers, body) = fixture.ReceivedAt("/platform/recipients")[0];
        WebhookSignature.Verify(WebhookFixture.Secret, headers["X-Byoc-Timestamp"], headers["X-Byoc-Signature"], body, TimeProvider.System);
    }

    [Fact]
    public async Task Describe_lists_the_settings_an_account_needs()
    {
        var description = await fixture.Connector.Connector.DescribeAsync(new DescribeRequest());

        Assert.Equal("webhook", description.Connector);
        Assert.False(description.Capabilities.QuickReplies);
        Assert.Contains(description.Settings, s => s is { Key: "webhookSecret", Secret: true, Required: true });
        Assert.Contains(description.Settings, s => s is { Key: "map.threadId", Required: true });
    }

    private static SendFailure Failure(RpcException error) => SendFailure.Parser.ParseFrom(error.Trailers.Get("send-failure-bin")!.ValueBytes);

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static string Unique() => $"m-{Interlocked.Increment(ref s_next)}-{Guid.NewGuid():N}";

    private static string Event(string id) => """
        {"event":{"id":"ID","at":"2025-07-25T20:05:57Z",
          "conversation":{"id":"t-7","title":"Order 1234"},
          "from":{"id":"u-42","name":"Jane Doe"},
          "body":{"text":"Where is my order?"},
          "files":[{"href":"https://files.example/receipt.pdf","title":"receipt.pdf"},{"href":"https://files.example/photo.jpg"}]}}
        """.Replace("\"ID\"", $"\"{id}\"", StringComparison.Ordinal);

    private Task<HttpResponseMessage> PostAsync(string account, string body, string secret, long timestamp)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        return SendAsync(account, bytes, timestamp.ToString(), WebhookSignature.Sign(secret, timestamp, bytes));
    }

    private async Task<HttpResponseMessage> SendAsync(string account, byte[] body, string timestamp, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/webhook/{account}") { Content = new ByteArrayContent(body) };
        request.Headers.Add("X-Byoc-Timestamp", timestamp);
        request.Headers.Add("X-Byoc-Signature", signature);
        return await fixture.Connector.CreateClient().SendAsync(request);
    }
}
