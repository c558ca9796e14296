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
/// and the platform gets the message once. A platform refusal still answers CXone (with an id) and then marks
/// that message <c>failed</c> at CXone, so the agent sees it.
/// </summary>
public sealed partial class OutboundDelivery(
    IConnectionMultiplexer redis,
    ChannelResolver channels,
    IdMap ids,
    ConnectorClients connectors,
    InboundStreams queue,
    MessageTimeline timeline,
    IOptions<ConversationsOptions> options,
    TimeProvider time,
    ILogger<OutboundDelivery> logger)
{
    private static readonly TimeSpan PendingFor = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(20);

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
        if (await TryTakeAsync(db, key, cancellationToken) is { } earlier)
        {
            return earlier;
        }

        DeliverResponse response;
        try
        {
            // Not the caller's cancellation: once sending starts it finishes (within the connector's deadline) and
            // its answer is kept, so a CXone retry after the Edge gave up gets that answer instead of a second send.
            response = await SendAsync(channel, request, CancellationToken.None);
        }
        catch (OutcomeUnknownException e)
        {
            // The platform may or may not have it: the pending mark stays until it expires, so quick retries wait
            // rather than send again.
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
        catch
        {
            // Nothing was sent (the connector was unreachable or refused to try): a retry may try again.
            await db.KeyDeleteAsync(key);
            throw;
        }

        await db.StringSetAsync(key, "done:" + Convert.ToBase64String(response.ToByteArray()),
            request.IdempotencyKeyDerived ? options.Value.DerivedKeyRetention : options.Value.DeliveryRetention);
        return response;
    }

    /// <summary>The earlier answer for this key; null when this call is the first and now owns the key.</summary>
    private async Task<DeliverResponse?> TryTakeAsync(IDatabase db, string key, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await db.StringSetAsync(key, "pending", PendingFor, When.NotExists))
            {
                return null;
            }

            var value = (string?)await db.StringGetAsync(key);
            if (value is not null && value.StartsWith("done:", StringComparison.Ordinal))
            {
                return DeliverResponse.Parser.ParseFrom(Convert.FromBase64String(value[5..]));
            }

            // The same request is being delivered right now (CXone retried quickly): wait for its answer.
            await Task.Delay(WaitStep, time, cancellationToken);
        }
    }

    private async Task<DeliverResponse> SendAsync(Registry.Channel channel, DeliverRequest request, CancellationToken cancellationToken)
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

        SendResponse sent;
        try
        {
            sent = await connectors.For(channel.Connector).SendAsync(send, deadline: time.GetUtcNow().UtcDateTime + options.Value.ConnectorDeadline, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Cancelled)
        {
            LogConnectorUnavailable(channel.Connector, e.StatusCode);
            throw new OutcomeUnknownException($"connector '{channel.Connector}' did not answer in time ({e.StatusCode})");
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted)
        {
            LogConnectorUnavailable(channel.Connector, e.StatusCode);
            throw new RpcException(new Status(StatusCode.Unavailable, $"connector '{channel.Connector}' is unavailable ({e.StatusCode})"));
        }
        catch (RpcException e)
        {
            return await ReportRefusalAsync(channel, request, e);
        }

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

        timeline.Record(channel.Id, messageId, "sent_to_platform", sent.Degradations.Count == 0 ? null : "adapted: " + string.Join("; ", sent.Degradations));
        return response;
    }

    private async Task<DeliverResponse> ReportRefusalAsync(Registry.Channel channel, DeliverRequest request, RpcException refusal)
    {
        var messageId = await ids.RememberAsync(channel, IdKind.Message, $"refused:{request.IdempotencyKey}");
        LogPlatformRefused(channel.Connector, messageId, refusal.StatusCode, refusal.Status.Detail);
        timeline.Record(channel.Id, messageId, "failed", $"{channel.Connector} refused it: {refusal.Status.Detail}");
        var status = new JsonObject
        {
            ["status"] = "failed",
            ["updatedAt"] = Ingestion.Format(time.GetUtcNow()),
            ["reason"] = refusal.Status.Detail,
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

    private sealed class OutcomeUnknownException(string message) : Exception(message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connector {Connector} is unavailable: {Status}")]
    private partial void LogConnectorUnavailable(string connector, StatusCode status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connector {Connector} refused message {MessageId}: {Status} {Detail}; CXone is told it failed")]
    private partial void LogPlatformRefused(string connector, string messageId, StatusCode status, string detail);
}
