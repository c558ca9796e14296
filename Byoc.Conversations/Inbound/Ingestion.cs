using System.Globalization;
using System.Text.Json.Nodes;
using Byoc.Conversations.Identity;
using Byoc.Conversations.Operations;
using Byoc.Conversations.Registry;
using Byoc.Conversations.V1;
using Byoc.Messages.V1;
using Grpc.Core;
using StackExchange.Redis;

namespace Byoc.Conversations.Inbound;

/// <summary>
/// What a connector hands in: checked, given its CXone ids (stored both ways), deduplicated on
/// (connector, account, platform message id) and queued durably — then acknowledged. Delivery to CXone happens
/// after, in <see cref="InboundWorker"/>, so a platform's webhook is answered in milliseconds.
/// </summary>
public sealed class Ingestion(IngestDurability durability, IdMap ids, RegistryStore registry, InboundStreams queue, MessageTimeline timeline, AccountHealthLog accountHealth, Cxone.CxoneClient cxone, TimeProvider time)
{
    public async Task<IngestResponse> IngestAsync(IngestRequest request)
    {
        var message = request.Message;
        Require(request.Connector, "connector");
        Require(request.AccountId, "account_id");
        if (message is null)
        {
            throw Invalid("message is required");
        }

        Require(message.ExternalMessageId, "message.external_message_id");
        Require(message.ExternalThreadId, "message.external_thread_id");
        Require(message.Author?.ExternalId, "message.author.external_id");

        var channel = await registry.FindChannelAsync(request.Connector, request.AccountId)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no channel is registered for connector '{request.Connector}' account '{request.AccountId}'"));

        // The ID map, dedup and append go over one connection, so one durability confirmation covers them all.
        var db = await durability.DatabaseAsync();
        var batch = db.CreateBatch();
        var writes = new List<Task>(8);
        var threadId = ids.Remember(batch, writes, channel, IdKind.Thread, message.ExternalThreadId);
        var messageId = ids.Remember(batch, writes, channel, IdKind.Message, message.ExternalMessageId);
        var authorId = ids.Remember(batch, writes, channel, IdKind.EndUser, message.Author!.ExternalId);
        batch.Execute();

        var body = ToCxoneMessage(message, messageId, threadId, authorId, message.CreatedAt?.ToDateTimeOffset() ?? time.GetUtcNow());
        var work = new InboundWork(InboundWork.MessageKind, channel.Id, threadId, messageId, body.ToJsonString());
        var queued = queue.EnqueueOnceAsync(work, messageId, db);
        await Task.WhenAll(writes);
        var acceptedNew = await queued;
        await ConfirmDurableAsync(db);
        timeline.Record(channel.Id, messageId, acceptedNew ? "queued" : "duplicate_ignored", $"{request.Connector}/{request.AccountId} {message.ExternalMessageId}");
        accountHealth.Succeeded(channel.Id);
        return new IngestResponse { AcceptedNew = acceptedNew, CxoneMessageId = messageId };
    }

    public async Task ReportReceiptAsync(ReportReceiptRequest request)
    {
        Require(request.Connector, "connector");
        Require(request.AccountId, "account_id");
        Require(request.ExternalMessageId, "external_message_id");
        var status = request.Status switch
        {
            ReceiptStatus.Delivered => "delivered",
            ReceiptStatus.Seen => "seen",
            ReceiptStatus.Failed => "failed",
            _ => throw Invalid("status must be delivered, seen or failed"),
        };

        var channel = await registry.FindChannelAsync(request.Connector, request.AccountId)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no channel is registered for connector '{request.Connector}' account '{request.AccountId}'"));
        var messageId = ExternalIds.Derive(channel.Connector, channel.AccountId, IdKind.Message, request.ExternalMessageId);
        var body = new JsonObject
        {
            ["status"] = status,
            ["updatedAt"] = Format(request.OccurredAt?.ToDateTimeOffset() ?? time.GetUtcNow()),
        };
        if (!string.IsNullOrEmpty(request.Reason))
        {
            body["reason"] = request.Reason;
        }

        // Statuses of one message keep their order; a repeated receipt is queued once.
        var db = await durability.DatabaseAsync();
        await queue.EnqueueOnceAsync(new InboundWork(InboundWork.StatusKind, channel.Id, messageId, messageId, body.ToJsonString()), $"status:{messageId}:{status}", db);
        await ConfirmDurableAsync(db);
        timeline.Record(channel.Id, messageId, status);
    }

    /// <summary>
    /// The customer is typing: sent to CXone at once and only once (a typing indicator is stale in seconds, so it is
    /// neither queued nor retried). CXone's refusal is reported as Unavailable so the connector may drop it.
    /// </summary>
    public async Task ReportSenderActionAsync(ReportSenderActionRequest request, CancellationToken cancellationToken)
    {
        Require(request.Connector, "connector");
        Require(request.AccountId, "account_id");
        Require(request.ExternalThreadId, "external_thread_id");
        var action = request.Action switch
        {
            SenderAction.TypingOn => "isTypingOn",
            SenderAction.TypingOff => "isTypingOff",
            _ => throw Invalid("action must be typing on or off"),
        };
        var channel = await registry.FindChannelAsync(request.Connector, request.AccountId)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no channel is registered for connector '{request.Connector}' account '{request.AccountId}'"));
        var integration = await registry.GetIntegrationAsync(channel.IntegrationId)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"the integration of channel '{channel.Id}' is gone"));
        var thread = ExternalIds.Derive(channel.Connector, channel.AccountId, IdKind.Thread, request.ExternalThreadId);
        var result = await cxone.SendSenderActionAsync(integration, channel.Id, thread, action, cancellationToken);
        if (!result.IsAccepted)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"CXone did not take the typing indicator ({result.StatusCode})"));
        }
    }

    public static JsonObject ToCxoneMessage(PlatformMessage message, string messageId, string threadId, string authorId, DateTimeOffset createdAt)
    {
        var content = message.Content ?? new MessageContent();
        var thread = new JsonObject { ["idOnExternalPlatform"] = threadId };
        if (!string.IsNullOrEmpty(message.ThreadName))
        {
            thread["threadName"] = message.ThreadName;
        }

        var author = new JsonObject { ["idOnExternalPlatform"] = authorId };
        AddIfSet(author, "firstName", message.Author.FirstName);
        AddIfSet(author, "lastName", message.Author.LastName);
        AddIfSet(author, "nickname", message.Author.Nickname);
        AddIfSet(author, "image", message.Author.ImageUrl);

        var body = new JsonObject
        {
            ["idOnExternalPlatform"] = messageId,
            ["direction"] = "inbound",
            ["createdAtWithMilliseconds"] = Format(createdAt),
            ["thread"] = thread,
            ["messageContent"] = new JsonObject
            {
                ["type"] = string.IsNullOrEmpty(content.CxoneType) ? "TEXT" : content.CxoneType,
                ["payload"] = new JsonObject { ["text"] = content.Text },
            },
            ["authorEndUserIdentity"] = author,
        };
        if (content.Attachments.Count > 0)
        {
            body["attachments"] = new JsonArray([.. content.Attachments.Select(a => (JsonNode)new JsonObject
            {
                ["friendlyName"] = string.IsNullOrEmpty(a.FileName) ? "attachment" : a.FileName,
                ["url"] = a.Url,
            })]);
        }

        return body;
    }

    /// <summary>ISO-8601 with milliseconds and an offset, as CXone wants (e.g. 2025-07-25T20:05:57.123+00:00).</summary>
    public static string Format(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    /// <summary>No acknowledgement before durability: UNAVAILABLE makes the connector answer 503, and the platform retries (dedup then confirms again).</summary>
    private async Task ConfirmDurableAsync(IDatabase db)
    {
        try
        {
            await durability.ConfirmAsync(db);
        }
        catch (NotDurableException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "Redis did not confirm the entry durable; not acknowledged, try again"));
        }
    }

    private static void AddIfSet(JsonObject target, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            target[name] = value;
        }
    }

    private static void Require(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid($"{field} is required");
        }
    }

    private static RpcException Invalid(string detail) => new(new Status(StatusCode.InvalidArgument, detail));
}
