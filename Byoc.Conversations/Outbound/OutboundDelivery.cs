using System.Text.Json.Nodes;
using Byoc.Connectors.V1;
using Byoc.Conversations.Identity;
using Byoc.Conversations.Inbound;
using Byoc.Conversations.Operations;
using Byoc.Conversations.Registry;
using Byoc.Conversations.V1;
using Byoc.Messages.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Byoc.Conversations.Outbound;

/// <summary>
/// An agent's message on its way to the platform: resolve the channel and the platform's ids, send through the
/// channel's connector with a deadline and the idempotency key, map the ids the platform returns, and answer what
/// the Edge needs for CXone. The answer is kept under the idempotency key, so a CXone retry gets the first answer
/// and the platform gets the message once. Only a failure that provably never reached the platform (the connector
/// says NOT_SENT, or could not be connected to) releases the key for a retry; a refusal and an unknown outcome
/// (a reset, a 5xx, a timeout) still answer CXone with an id and then mark that message <c>failed</c> at CXone, so
/// the agent sees it and CXone does not send it again. A multi-part send the platform took in part resumes at the
/// part that failed (docs/architecture.md, "Outbound outcomes").
/// </summary>
public sealed partial class OutboundDelivery(
    IConnectionMultiplexer redis,
    ChannelResolver channels,
    IdMap ids,
    ConnectorClients connectors,
    InboundStreams queue,
    MessageTimeline timeline,
    AccountHealthLog accountHealth,
    IOptions<ConversationsOptions> options,
    TimeProvider time,
    ILogger<OutboundDelivery> logger)
{
    // The least a key stays marked "being sent" (a content-derived key's answer is kept for less).
    private static readonly TimeSpan PendingFor = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(20);
    // How long a send that may have reached the platform waits for Redis to record it.
    private static readonly TimeSpan RecordFor = TimeSpan.FromMinutes(2);
    // Beyond the connector's deadline, how long a "being sent" mark may go unrefreshed before its owner counts as gone.
    private static readonly TimeSpan OwnerGrace = TimeSpan.FromSeconds(5);

    // The mark is "pending:{refreshed at, unix ms}:{owner}". Each script acts only while the mark is the caller's.
    private const string RefreshMine =
        "local v = redis.call('GET', KEYS[1]) if v and string.sub(v, 1, 8) == 'pending:' and string.sub(v, -#ARGV[1]) == ARGV[1] then " +
        "redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') return 1 end return 0";
    // A mark gone altogether (lapsed, or lost with Redis) has no other owner: the answer is kept all the same.
    private const string FinishMine =
        "local v = redis.call('GET', KEYS[1]) if not v or (string.sub(v, 1, 8) == 'pending:' and string.sub(v, -#ARGV[1]) == ARGV[1]) then " +
        "redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return false end return v";
    private const string ReleaseMine =
        "local v = redis.call('GET', KEYS[1]) if v and string.sub(v, 1, 8) == 'pending:' and string.sub(v, -#ARGV[1]) == ARGV[1] then " +
        "return redis.call('DEL', KEYS[1]) end return 0";
    private const string TakeOver = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') return 1 end return 0";

    public async Task<DeliverResponse> DeliverAsync(DeliverRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.IdempotencyKey))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "idempotency_key is required"));
        }

        if (string.IsNullOrEmpty(request.ThreadId) && request.Recipients.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a message needs a thread_id or at least one recipient"));
        }

        var channel = await channels.ResolveAsync(request.IntegrationId, request.ChannelId, request.ThreadId);
        var db = redis.GetDatabase();
        var key = RedisKeys.Delivery(request.IntegrationId, request.IdempotencyKey);
        var owner = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var take = await TryTakeAsync(db, key, owner, request.IdempotencyKeyDerived, cancellationToken);
        if (take.Earlier is { } earlier)
        {
            if (request.IdempotencyKeyDerived)
            {
                // Same content within CXone's retry window: taken as CXone's retry, not as the agent's second message.
                LogSuppressedRepeat(channel.Id, earlier.MessageId);
            }

            return earlier;
        }

        DeliverResponse response;
        try
        {
            // Not the caller's cancellation: once sending starts it finishes (within the connector's deadline) and
            // its answer is kept, so a CXone retry after the Edge gave up gets that answer instead of a second send.
            response = take.Orphaned
                ? await ReportOrphanedAsync(channel, request, db, key, owner)
                : await SendAsync(channel, request, db, key, owner, CancellationToken.None);
        }
        catch (NotSentException e)
        {
            // Provably not on the platform (or not all of it: the parts it took are recorded): a retry may send.
            await WhileRedisRecoversAsync(db, key, owner, () => db.ScriptEvaluateAsync(ReleaseMine, [key], [owner]));
            throw e.ToCaller;
        }

        var done = "done:" + Convert.ToBase64String(response.ToByteArray());
        var retention = (long)(request.IdempotencyKeyDerived ? options.Value.DerivedKeyRetention : options.Value.DeliveryRetention).TotalMilliseconds;
        var other = await WhileRedisRecoversAsync(db, key, owner, () => db.ScriptEvaluateAsync(FinishMine, [key], [owner, done, retention]));
        if (!other.IsNull && ((string?)other)?.StartsWith("done:", StringComparison.Ordinal) == true)
        {
            // This owner was taken for gone (it stalled past its deadline) and a retry answered CXone already: that
            // answer stands, so CXone is never told two things about one request.
            LogOvertaken(channel.Id, request.IdempotencyKey);
            return DeliverResponse.Parser.ParseFrom(Convert.FromBase64String(((string)other!)[5..]));
        }

        return response;
    }

    /// <summary>
    /// Once the platform may have the message, what Byoc records of it (its ids, the answer under the key) must be
    /// written, or a CXone retry would find the key lapsed and send it again: a Redis that went away (a restart, a
    /// failover) is waited for, the key kept pending meanwhile, up to <see cref="RecordFor"/>.
    /// </summary>
    private async Task<T> WhileRedisRecoversAsync<T>(IDatabase db, string key, string owner, Func<Task<T>> write)
    {
        var started = time.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write();
            }
            catch (Exception e) when (e is RedisException or TimeoutException && time.GetUtcNow() - started < RecordFor)
            {
                LogRecordRetried(e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 * attempt, 2000)), time);
                try
                {
                    await db.ScriptEvaluateAsync(RefreshMine, [key], [owner, Mark(owner)]);
                }
                catch (Exception again) when (again is RedisException or TimeoutException)
                {
                    // Still away: the next round tries again.
                }
            }
        }
    }

    private string Mark(string owner) => $"pending:{time.GetUtcNow().ToUnixTimeMilliseconds()}:{owner}";

    /// <summary>What taking the key found: an earlier answer, or that this call now owns it (perhaps from an owner that is gone).</summary>
    private readonly record struct Take(DeliverResponse? Earlier, bool Orphaned);

    /// <summary>
    /// The earlier answer for this key, or ownership of it. A mark whose owner stopped refreshing it past the
    /// connector's deadline belongs to a replica that ended mid-send (kill -9): the platform may have the message,
    /// so this call takes the key over to answer, never to send again.
    /// </summary>
    private async Task<Take> TryTakeAsync(IDatabase db, string key, string owner, bool derived, CancellationToken cancellationToken)
    {
        var markFor = derived ? PendingFor : Max(PendingFor, options.Value.DeliveryRetention);
        var ownerGone = options.Value.ConnectorDeadline + OwnerGrace;
        while (true)
        {
            var mark = Mark(owner);
            if (await db.StringSetAsync(key, mark, markFor, When.NotExists))
            {
                return new Take(null, false);
            }

            var value = (string?)await db.StringGetAsync(key);
            if (value is not null && value.StartsWith("done:", StringComparison.Ordinal))
            {
                return new Take(DeliverResponse.Parser.ParseFrom(Convert.FromBase64String(value[5..])), false);
            }

            if (value?.Split(':') is ["pending", var at, _] && long.TryParse(at, out var refreshed)
                && time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(refreshed) > ownerGone
                && (int)await db.ScriptEvaluateAsync(TakeOver, [key], [value, mark]) == 1)
            {
                return new Take(null, true);
            }

            // The same request is being delivered right now (CXone retried quickly): wait for its answer.
            await Task.Delay(WaitStep, time, cancellationToken);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The replica sending this request ended before it knew the outcome: answered as an unknown outcome, not sent again.</summary>
    private Task<DeliverResponse> ReportOrphanedAsync(Registry.Channel channel, DeliverRequest request, IDatabase db, string key, string owner) =>
        WhileRedisRecoversAsync(db, key, owner, async () =>
        {
            var unknownId = await ids.RememberAsync(channel, IdKind.Message, $"unknown:{request.IdempotencyKey}");
            LogOrphaned(channel.Id, unknownId);
            const string reason = "its delivery stopped midway (the replica sending it ended); it may have reached the customer and is not sent again";
            return await ReportFailedAsync(channel, request, unknownId, reason, reason);
        });

    private async Task<DeliverResponse> SendAsync(Registry.Channel channel, DeliverRequest request, IDatabase db, string key, string owner, CancellationToken cancellationToken)
    {
        SendRequest send;
        var partsKey = RedisKeys.DeliveryParts(request.IntegrationId, request.IdempotencyKey);
        try
        {
            send = await ToConnectorAsync(channel, request, db, partsKey);
        }
        catch (Exception e) when (e is RedisException or RpcException)
        {
            // Nothing went to the connector yet.
            throw new NotSentException(e as RpcException ?? new RpcException(new Status(StatusCode.Unavailable, "the id map cannot be read now")));
        }

        SendResponse sent;
        try
        {
            sent = await connectors.For(channel.Connector).SendAsync(send, deadline: time.GetUtcNow().UtcDateTime + options.Value.ConnectorDeadline, cancellationToken: cancellationToken);
        }
        catch (RpcException e)
        {
            var failure = ConnectorOutcome.Of(e);
            switch (failure.Kind)
            {
                case SendFailureKind.NotSent:
                    accountHealth.Failed(channel.Id, $"{channel.Connector} could not send ({e.StatusCode}: {e.Status.Detail})");
                    LogConnectorUnavailable(channel.Connector, e.StatusCode, failure.PartsAccepted);
                    if (failure.PartsAccepted > 0)
                    {
                        await db.StringSetAsync(partsKey, $"{failure.PartsAccepted}:{failure.FirstPartMessageId}", options.Value.DeliveryRetention);
                    }

                    var status = e.StatusCode == StatusCode.ResourceExhausted ? StatusCode.ResourceExhausted : StatusCode.Unavailable;
                    throw new NotSentException(new RpcException(new Status(status, $"connector '{channel.Connector}' could not send it now ({e.StatusCode})")));
                case SendFailureKind.Refused:
                    accountHealth.Failed(channel.Id, $"{channel.Connector} refused a message: {e.Status.Detail}");
                    return await WhileRedisRecoversAsync(db, key, owner, async () =>
                    {
                        var refusedId = await ids.RememberAsync(channel, IdKind.Message, $"refused:{request.IdempotencyKey}");
                        LogPlatformRefused(channel.Connector, refusedId, e.StatusCode, e.Status.Detail);
                        return await ReportFailedAsync(channel, request, refusedId, $"{channel.Connector} refused it: {e.Status.Detail}", e.Status.Detail);
                    });
                default:
                    accountHealth.Failed(channel.Id, $"{channel.Connector} did not confirm a message ({e.StatusCode}: {e.Status.Detail})");
                    return await WhileRedisRecoversAsync(db, key, owner, async () =>
                    {
                        // Part of it may be on the platform: the first part's id stands for the message.
                        var unknownId = await ids.RememberAsync(channel, IdKind.Message,
                            failure.PartsAccepted > 0 && failure.FirstPartMessageId.Length > 0 ? failure.FirstPartMessageId : $"unknown:{request.IdempotencyKey}");
                        LogOutcomeUnknown(channel.Connector, unknownId, e.StatusCode, e.Status.Detail);
                        var reason = $"{channel.Connector} did not confirm it ({e.StatusCode}: {e.Status.Detail}); it may have reached the customer and is not sent again";
                        return await ReportFailedAsync(channel, request, unknownId, reason, reason);
                    });
            }
        }

        accountHealth.Succeeded(channel.Id);
        return await WhileRedisRecoversAsync(db, key, owner, () => RecordSentAsync(channel, request, send, sent, db, partsKey));
    }

    /// <summary>The platform took it: its ids mapped to CXone's, and the answer CXone gets.</summary>
    private async Task<DeliverResponse> RecordSentAsync(Registry.Channel channel, DeliverRequest request, SendRequest send, SendResponse sent, IDatabase db, string partsKey)
    {
        var messageId = await ids.RememberAsync(channel, IdKind.Message, sent.ExternalMessageId);
        var threadId = string.IsNullOrEmpty(sent.ExternalThreadId)
            ? (string.IsNullOrEmpty(request.ThreadId) ? string.Empty : request.ThreadId)
            : await ids.RememberAsync(channel, IdKind.Thread, sent.ExternalThreadId);
        var response = new DeliverResponse
        {
            MessageId = messageId,
            CreatedAt = sent.CreatedAt ?? Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            MessageUrl = sent.MessageUrl,
            ThreadId = threadId,
        };
        response.Recipients.AddRange(request.Recipients);
        foreach (var user in sent.EndUsers)
        {
            response.EndUserIdentities.Add(new EndUser(user) { ExternalId = await ids.RememberAsync(channel, IdKind.EndUser, user.ExternalId) });
        }

        if (send.PartsAlreadyAccepted > 0)
        {
            await db.KeyDeleteAsync(partsKey, CommandFlags.FireAndForget);
        }

        timeline.Record(channel.Id, messageId, "sent_to_platform", sent.Degradations.Count == 0 ? null : "adapted: " + string.Join("; ", sent.Degradations));
        return response;
    }

    /// <summary>The connector's request, in the platform's ids, resuming after the parts an earlier attempt got accepted.</summary>
    private async Task<SendRequest> ToConnectorAsync(Registry.Channel channel, DeliverRequest request, IDatabase db, string partsKey)
    {
        var nativeThread = string.Empty;
        if (!string.IsNullOrEmpty(request.ThreadId))
        {
            // A thread CXone opened itself has no entry: its id is taken as the platform's.
            nativeThread = (await ids.FindByCxoneIdAsync(channel.Id, request.ThreadId))?.NativeId ?? request.ThreadId;
        }

        var send = new SendRequest
        {
            IdempotencyKey = request.IdempotencyKey,
            AccountId = channel.AccountId,
            ExternalThreadId = nativeThread,
            Content = request.Content ?? new MessageContent(),
        };
        foreach (var recipient in request.Recipients)
        {
            var native = (await ids.FindByCxoneIdAsync(channel.Id, recipient.ExternalId))?.NativeId ?? recipient.ExternalId;
            send.Recipients.Add(new Recipient(recipient) { ExternalId = native });
        }

        if (!string.IsNullOrEmpty(request.ReplyToMessageId))
        {
            send.ReplyToExternalMessageId = (await ids.FindByCxoneIdAsync(channel.Id, request.ReplyToMessageId))?.NativeId ?? request.ReplyToMessageId;
        }

        if (((string?)await db.StringGetAsync(partsKey))?.Split(':', 2) is [var parts, var first] && int.TryParse(parts, out var accepted))
        {
            send.PartsAlreadyAccepted = accepted;
            send.FirstPartMessageId = first;
        }

        return send;
    }

    /// <summary>CXone gets an answer with an id (so it does not send again) and then the message's <c>failed</c> status, so the agent sees it.</summary>
    private async Task<DeliverResponse> ReportFailedAsync(Registry.Channel channel, DeliverRequest request, string messageId, string timelineDetail, string reason)
    {
        timeline.Record(channel.Id, messageId, "failed", timelineDetail);
        var status = new JsonObject
        {
            ["status"] = "failed",
            ["updatedAt"] = Ingestion.Format(time.GetUtcNow()),
            ["reason"] = reason,
        };
        await queue.EnqueueOnceAsync(
            new InboundWork(InboundWork.StatusKind, channel.Id, messageId, messageId, status.ToJsonString()),
            $"status:{messageId}:failed");
        return new DeliverResponse
        {
            MessageId = messageId,
            CreatedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            ThreadId = request.ThreadId,
            Recipients = { request.Recipients },
        };
    }

    /// <summary>The send provably did not reach the platform: the key is released and the caller told to retry.</summary>
    private sealed class NotSentException(RpcException toCaller) : Exception(toCaller.Message)
    {
        public RpcException ToCaller { get; } = toCaller;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connector {Connector} could not send now: {Status}; {PartsAccepted} parts were accepted; a retry may send")]
    private partial void LogConnectorUnavailable(string connector, StatusCode status, int partsAccepted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connector {Connector} refused message {MessageId}: {Status} {Detail}; CXone is told it failed")]
    private partial void LogPlatformRefused(string connector, string messageId, StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connector {Connector} did not confirm message {MessageId}: {Status} {Detail}; it is not sent again and CXone is told it failed")]
    private partial void LogOutcomeUnknown(string connector, string messageId, StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording a message the platform may have failed ({Reason}); retrying while Redis recovers, the request kept pending")]
    private partial void LogRecordRetried(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} for channel {ChannelId} was being sent by a replica that ended before the outcome was known; CXone is told it failed, it is not sent again")]
    private partial void LogOrphaned(string channelId, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A send for channel {ChannelId} (key {IdempotencyKey}) stalled past its deadline and a retry answered CXone meanwhile; that answer stands")]
    private partial void LogOvertaken(string channelId, string idempotencyKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "An identical agent message for channel {ChannelId} within the retry window was answered as CXone's retry of {MessageId}, not sent again")]
    private partial void LogSuppressedRepeat(string channelId, string messageId);
}
