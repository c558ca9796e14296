using Byoc.Connectors.V1;
using Byoc.Conversations.Identity;
using Byoc.Conversations.V1;
using Byoc.Messages.V1;
using Grpc.Core;
using Byoc.Testing;

namespace Byoc.Conversations.Tests;

[Collection(StackCollection.Name)]
public sealed class OutboundTests(ConversationsStack stack)
{
    [Fact]
    public async Task An_agent_reply_reaches_the_platform_in_its_own_ids_and_CXone_gets_namespaced_ids_back()
    {
        var thread = Sample.Unique("thread");
        var inbound = await stack.Inbound.IngestAsync(Sample.Ingest("a1", thread, Sample.Unique("m"), "question", author: "jane-native"));
        var cxoneThread = ExternalIds.Derive("test", "a1", IdKind.Thread, thread);
        var cxoneJane = ExternalIds.Derive("test", "a1", IdKind.EndUser, "jane-native");
        var key = Sample.Unique("reply");

        var response = await stack.Outbound.DeliverAsync(new DeliverRequest
        {
            IdempotencyKey = key,
            IntegrationId = "acme",
            ChannelId = "acme-1",
            ThreadId = cxoneThread,
            Content = new MessageContent { Text = "Hello from the agent" },
            Recipients = { new Recipient { ExternalId = cxoneJane, Name = "Jane Doe", IsPrimary = true } },
            ReplyToMessageId = inbound.CxoneMessageId,
        });

        var sent = stack.Connector.Sends.Single(s => s.IdempotencyKey == key);
        Assert.Equal("a1", sent.AccountId);
        Assert.Equal(thread, sent.ExternalThreadId);
        Assert.Equal("jane-native", sent.Recipients.Single().ExternalId);
        Assert.Equal("Hello from the agent", sent.Content.Text);
        Assert.Equal(ExternalIds.Derive("test", "a1", IdKind.Message, $"platform-msg-{key}"), response.MessageId);
        Assert.Equal(cxoneThread, response.ThreadId);
        Assert.Equal(cxoneJane, response.EndUserIdentities.Single().ExternalId);
        Assert.Equal(cxoneJane, response.Recipients.Single().ExternalId);
        var lookup = await stack.Operations.LookupIdAsync(new LookupIdRequest { ChannelId = "acme-1", CxoneId = response.MessageId });
        Assert.Equal($"platform-msg-{key}", lookup.PlatformId.ExternalId);
        Assert.Equal(IdKind.Message, lookup.PlatformId.Kind);
    }

    [Fact]
    public async Task A_repeated_CXone_request_gets_the_first_answer_and_is_sent_to_the_platform_once()
    {
        var key = Sample.Unique("retry");
        var request = new DeliverRequest
        {
            IdempotencyKey = key,
            IntegrationId = "acme",
            ChannelId = "acme-1",
            Recipients = { new Recipient { ExternalId = "someone", IsPrimary = true } },
            Content = new MessageContent { Text = "once" },
        };

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => stack.Outbound.DeliverAsync(request).ResponseAsync));

        Assert.Single(stack.Connector.Sends, s => s.IdempotencyKey == key);
        Assert.All(answers, a => Assert.Equal(answers[0], a));
    }

    [Fact]
    public async Task Two_identical_replies_with_a_content_key_are_both_delivered_outside_the_retry_window_and_an_immediate_retry_is_not()
    {
        var request = Reply("acme", "acme-1");
        request.IdempotencyKeyDerived = true;
        // Where Conversations keeps the answer (RedisKeys.Delivery): its expiry is the end of the retry window.
        var key = $"byoc:v1:{{i:acme}}:delivery:{request.IdempotencyKey}";
        var redis = stack.Service<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase();

        var first = await stack.Outbound.DeliverAsync(request);
        var retry = await stack.Outbound.DeliverAsync(request);
        Assert.Equal(first, retry);
        Assert.Single(stack.Connector.Sends, s => s.IdempotencyKey == request.IdempotencyKey);
        await Poll.UntilAsync(async () => !await redis.KeyExistsAsync(key), TimeSpan.FromSeconds(10), "the retry window has passed");
        await stack.Outbound.DeliverAsync(request);

        Assert.Equal(2, stack.Connector.Sends.Count(s => s.IdempotencyKey == request.IdempotencyKey));
    }

    [Fact]
    public void By_default_a_content_key_covers_only_CXones_immediate_retries()
    {
        Assert.InRange(new ConversationsOptions().DerivedKeyRetention, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_agent_initiated_message_returns_the_thread_the_platform_opened()
    {
        var key = Sample.Unique("start");

        var response = await stack.Outbound.DeliverAsync(new DeliverRequest
        {
            IdempotencyKey = key,
            IntegrationId = "acme",
            ChannelId = "acme-2",
            Recipients = { new Recipient { ExternalId = "bob", Name = "Bob", IsPrimary = true } },
            Content = new MessageContent { Text = "Hi Bob" },
        });

        Assert.Equal(ExternalIds.Derive("test", "a2", IdKind.Thread, "new-thread-for-bob"), response.ThreadId);
        var lookup = await stack.Operations.LookupIdAsync(new LookupIdRequest { ChannelId = "acme-2", CxoneId = response.ThreadId });
        Assert.Equal("new-thread-for-bob", lookup.PlatformId.ExternalId);
    }

    [Fact]
    public async Task A_channel_of_another_integration_is_permission_denied_and_an_unknown_one_not_found()
    {
        var foreign = await Assert.ThrowsAsync<RpcException>(() => stack.Outbound.DeliverAsync(Reply("acme", "globex-1")).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => stack.Outbound.DeliverAsync(Reply("acme", "no-such-channel")).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.DoesNotContain(stack.Connector.Sends, s => s.AccountId == "g1");
    }

    [Fact]
    public async Task A_platform_refusal_still_answers_CXone_and_then_marks_the_message_failed_there()
    {
        stack.Connector.FailSendsWith = StatusCode.FailedPrecondition;
        DeliverResponse response;
        try
        {
            response = await stack.Outbound.DeliverAsync(Reply("acme", "acme-1"));
        }
        finally
        {
            stack.Connector.FailSendsWith = null;
        }

        await Poll.UntilAsync(async () => (await stack.Sandbox.StatusesAsync("acme-1")).Any(s => s.GetProperty("messageIdOnExternalPlatform").GetString() == response.MessageId),
            TimeSpan.FromSeconds(30), "CXone is told the message failed");
        var status = (await stack.Sandbox.StatusesAsync("acme-1")).Single(s => s.GetProperty("messageIdOnExternalPlatform").GetString() == response.MessageId);
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Equal("the platform says no", status.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_send_the_platform_never_got_releases_the_key_and_the_CXone_retry_sends_it_once()
    {
        var request = Reply("acme", "acme-1");
        stack.Connector.FailSendsWith = StatusCode.Unavailable;
        stack.Connector.FailureDetail = new SendFailure { Kind = SendFailureKind.NotSent };
        try
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => stack.Outbound.DeliverAsync(request).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        }
        finally
        {
            stack.Connector.FailSendsWith = null;
            stack.Connector.FailureDetail = null;
        }

        var response = await stack.Outbound.DeliverAsync(request);
        var again = await stack.Outbound.DeliverAsync(request);

        Assert.Equal(ExternalIds.Derive("test", "a1", IdKind.Message, $"platform-msg-{request.IdempotencyKey}"), response.MessageId);
        Assert.Equal(response, again);
        Assert.Equal(2, stack.Connector.Sends.Count(s => s.IdempotencyKey == request.IdempotencyKey));
    }

    [Fact]
    public async Task A_connection_lost_after_the_connector_took_the_send_keeps_the_mark_and_a_CXone_retry_is_not_sent_again()
    {
        var request = Reply("acme", "acme-1");
        // The connector got the request (the platform may have the message), then the connection is reset.
        stack.Connector.BeforeAnswer = (_, context) =>
        {
            context.GetHttpContext().Abort();
            return Task.CompletedTask;
        };
        DeliverResponse first;
        try
        {
            first = await stack.Outbound.DeliverAsync(request);
        }
        finally
        {
            stack.Connector.BeforeAnswer = null;
        }

        var retry = await stack.Outbound.DeliverAsync(request);

        Assert.Equal(first, retry);
        Assert.Single(stack.Connector.Sends, s => s.IdempotencyKey == request.IdempotencyKey);
        await AssertToldFailedAsync(first.MessageId, "may have reached the customer");
    }

    [Fact]
    public async Task A_retry_after_the_replica_sending_it_ended_midway_is_told_failed_and_never_sent_again()
    {
        var request = Reply("acme", "acme-1");
        // What a replica killed (kill -9) while its connector call was under way leaves: its "being sent" mark, no
        // longer refreshed, older than the connector's deadline. The platform may have the message.
        var db = stack.Service<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase();
        var stoppedAt = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        await db.StringSetAsync(RedisKeys.Delivery("acme", request.IdempotencyKey), $"pending:{stoppedAt.ToUnixTimeMilliseconds()}:0123456789abcdef", TimeSpan.FromHours(1));

        var retry = await stack.Outbound.DeliverAsync(request);
        var again = await stack.Outbound.DeliverAsync(request);

        Assert.DoesNotContain(stack.Connector.Sends, s => s.IdempotencyKey == request.IdempotencyKey);
        Assert.Equal(retry, again);
        await AssertToldFailedAsync(retry.MessageId, "stopped midway");
    }

    [Fact]
    public async Task A_platform_5xx_is_an_unknown_outcome_CXone_gets_an_id_and_a_failed_status_and_its_retry_is_not_sent_again()
    {
        var request = Reply("acme", "acme-1");
        stack.Connector.FailSendsWith = StatusCode.Unavailable;
        stack.Connector.FailureDetail = new SendFailure { Kind = SendFailureKind.Unknown };
        DeliverResponse first;
        try
        {
            first = await stack.Outbound.DeliverAsync(request);
        }
        finally
        {
            stack.Connector.FailSendsWith = null;
            stack.Connector.FailureDetail = null;
        }

        var retry = await stack.Outbound.DeliverAsync(request);

        Assert.Equal(first, retry);
        Assert.Single(stack.Connector.Sends, s => s.IdempotencyKey == request.IdempotencyKey);
        await AssertToldFailedAsync(first.MessageId, "not sent again");
    }

    [Fact]
    public async Task An_unexpected_connector_failure_is_never_reported_to_CXone_as_a_refusal()
    {
        var request = Reply("acme", "acme-1");
        // What an unhandled exception in a connector answers: no trailer, status UNKNOWN.
        stack.Connector.FailSendsWith = StatusCode.Unknown;
        DeliverResponse first;
        try
        {
            first = await stack.Outbound.DeliverAsync(request);
        }
        finally
        {
            stack.Connector.FailSendsWith = null;
        }

        var retry = await stack.Outbound.DeliverAsync(request);

        Assert.Equal(first, retry);
        Assert.Single(stack.Connector.Sends, s => s.IdempotencyKey == request.IdempotencyKey);
        var reason = await AssertToldFailedAsync(first.MessageId, "may have reached the customer");
        Assert.DoesNotContain("refused", reason, StringComparison.Ordinal);
        Assert.NotEqual(ExternalIds.Derive("test", "a1", IdKind.Message, $"refused:{request.IdempotencyKey}"), first.MessageId);
    }

    [Fact]
    public async Task A_multi_part_send_throttled_on_part_two_resumes_at_part_two_when_CXone_retries()
    {
        var request = Reply("acme", "acme-1");
        stack.Connector.FailSendsWith = StatusCode.ResourceExhausted;
        stack.Connector.FailureDetail = new SendFailure { Kind = SendFailureKind.NotSent, PartsAccepted = 1, FirstPartMessageId = "part-1-id", RetryAfterSeconds = 1 };
        try
        {
            var throttled = await Assert.ThrowsAsync<RpcException>(() => stack.Outbound.DeliverAsync(request).ResponseAsync);
            Assert.Equal(StatusCode.ResourceExhausted, throttled.StatusCode);
        }
        finally
        {
            stack.Connector.FailSendsWith = null;
            stack.Connector.FailureDetail = null;
        }

        await stack.Outbound.DeliverAsync(request);

        var sends = stack.Connector.Sends.Where(s => s.IdempotencyKey == request.IdempotencyKey).ToList();
        Assert.Equal(2, sends.Count);
        Assert.Equal((0, ""), (sends[0].PartsAlreadyAccepted, sends[0].FirstPartMessageId));
        Assert.Equal((1, "part-1-id"), (sends[1].PartsAlreadyAccepted, sends[1].FirstPartMessageId));
    }

    private async Task<string> AssertToldFailedAsync(string messageId, string reasonContains)
    {
        await Poll.UntilAsync(async () => (await stack.Sandbox.StatusesAsync("acme-1")).Any(s => s.GetProperty("messageIdOnExternalPlatform").GetString() == messageId),
            TimeSpan.FromSeconds(30), "CXone is told the message failed");
        var status = (await stack.Sandbox.StatusesAsync("acme-1")).Single(s => s.GetProperty("messageIdOnExternalPlatform").GetString() == messageId);
        Assert.Equal("failed", status.GetProperty("status").GetString());
        var reason = status.GetProperty("reason").GetString() ?? string.Empty;
        Assert.Contains(reasonContains, reason, StringComparison.Ordinal);
        return reason;
    }

    [Fact]
    public async Task Delivery_and_read_receipts_from_the_platform_become_CXone_statuses()
    {
        var response = await stack.Outbound.DeliverAsync(Reply("acme", "acme-1"));
        var platformId = (await stack.Operations.LookupIdAsync(new LookupIdRequest { ChannelId = "acme-1", CxoneId = response.MessageId })).PlatformId.ExternalId;

        foreach (var status in new[] { ReceiptStatus.Delivered, ReceiptStatus.Seen, ReceiptStatus.Seen })
        {
            await stack.Inbound.ReportReceiptAsync(new ReportReceiptRequest { Connector = "test", AccountId = "a1", ExternalMessageId = platformId, Status = status });
        }

        await Poll.UntilAsync(async () => (await stack.Sandbox.StatusesAsync("acme-1")).Count(s => s.GetProperty("messageIdOnExternalPlatform").GetString() == response.MessageId) == 2,
            TimeSpan.FromSeconds(30), "both statuses reached CXone");
        var statuses = (await stack.Sandbox.StatusesAsync("acme-1")).Where(s => s.GetProperty("messageIdOnExternalPlatform").GetString() == response.MessageId).Select(s => s.GetProperty("status").GetString());
        Assert.Equal(["delivered", "seen"], statuses);
    }

    [Fact]
    public async Task Recipient_validation_is_decided_by_the_channels_connector()
    {
        var valid = await stack.Outbound.ValidateRecipientsAsync(new V1.ValidateRecipientsRequest { IntegrationId = "acme", ChannelId = "acme-1", Recipients = { new Recipient { ExternalId = "jane" } } });
        var invalid = await stack.Outbound.ValidateRecipientsAsync(new V1.ValidateRecipientsRequest { IntegrationId = "acme", ChannelId = "acme-1", Recipients = { new Recipient { ExternalId = "invalid-1" } } });

        Assert.True(valid.Valid);
        Assert.False(invalid.Valid);
        Assert.Equal("Unknown Junglebook user", invalid.DisplayErrorMessage);
        Assert.Equal(["idOnExternalPlatform"], invalid.Errors.Single().Path);
    }

    [Fact]
    public async Task Typing_reaches_the_connector_on_the_platforms_thread()
    {
        var thread = Sample.Unique("thread");
        await stack.Inbound.IngestAsync(Sample.Ingest("a1", thread, Sample.Unique("m"), "typing?"));
        var key = Sample.Unique("typing");

        await stack.Outbound.SendSenderActionAsync(new V1.SendSenderActionRequest
        {
            IdempotencyKey = key, IntegrationId = "acme", ChannelId = "acme-1",
            ThreadId = ExternalIds.Derive("test", "a1", IdKind.Thread, thread), Action = SenderAction.TypingOn,
        });

        var action = stack.Connector.SenderActions.Single(a => a.IdempotencyKey == key);
        Assert.Equal(thread, action.ExternalThreadId);
        Assert.Equal(SenderAction.TypingOn, action.Action);
    }

    private static DeliverRequest Reply(string integration, string channel) => new()
    {
        IdempotencyKey = Sample.Unique("reply"),
        IntegrationId = integration,
        ChannelId = channel,
        Recipients = { new Recipient { ExternalId = "someone", IsPrimary = true } },
        Content = new MessageContent { Text = "hello" },
    };
}
