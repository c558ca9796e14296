using Byoc.Conversations.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// <c>POST /hooks/{connector}/{accountId}</c>: the raw body is verified and parsed by the platform, each event is
/// handed to Conversations (which queues it durably), and only then is the platform answered 200. A forged webhook
/// gets 401; a genuine one lacking a field 400 naming it; when Conversations cannot take it, 503 with Retry-After so
/// the platform sends it again (docs/architecture.md, "Webhook errors").
/// </summary>
internal sealed partial class WebhookEndpoint(IPlatform platform, ConnectorName name, AccountDirectory accounts, Inbound.InboundClient inbound, ILogger<WebhookEndpoint> logger)
{
    public const int MaxBodyBytes = 1024 * 1024;

    public async Task<IResult> HandleAsync(HttpContext context, string accountId)
    {
        var cancellationToken = context.RequestAborted;
        PlatformAccount? account;
        try
        {
            account = await accounts.FindAsync(accountId, cancellationToken);
        }
        catch (RpcException e)
        {
            // No account known yet and Conversations cannot say: the platform must send it again, not give up.
            LogConversationsFailed(name.Value, e.StatusCode);
            return Unavailable(context, "Byoc cannot take the webhook now; send it again.");
        }

        if (account is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No {name.Value} account '{accountId}'.");
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"Webhooks are limited to {MaxBodyBytes} bytes.");
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);

        IReadOnlyList<PlatformEvent> events;
        try
        {
            events = await platform.ParseWebhookAsync(new Webhook(name.Value, account, buffer.ToArray(), headers), cancellationToken);
        }
        catch (WebhookRejectedException e)
        {
            LogRejected(name.Value, accountId, e.Message);
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The webhook is not genuine.", detail: e.Message);
        }
        catch (FormatException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The webhook could not be read.", detail: e.Message,
                extensions: new Dictionary<string, object?> { ["field"] = (e as MalformedWebhookException)?.Field ?? "$" });
        }
        catch (PlatformRejectedException e)
        {
            // The account lacks a setting the connector needs: ours to fix, and the platform's resend will then work.
            LogMisconfigured(name.Value, accountId, e.Message);
            return Unavailable(context, "The account is not set up to take this webhook yet; send it again.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A genuine webhook the parser did not expect: a 500 would make the platform send it forever.
            LogUnreadable(name.Value, accountId, e);
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The webhook could not be read.", detail: $"The {name.Value} connector could not read it ({e.GetType().Name}).",
                extensions: new Dictionary<string, object?> { ["field"] = "$" });
        }

        try
        {
            foreach (var platformEvent in events)
            {
                await ForwardAsync(account, platformEvent, cancellationToken);
            }
        }
        catch (RpcException e)
        {
            return FromConversations(context, e);
        }

        return Results.Ok();
    }

    /// <summary>
    /// What Conversations said, for the platform: its input refused is 400, an unknown thread or account 404 (both
    /// final: never sent again), a duplicate 200; anything else (down, slow, our own misconfiguration) is 503 with
    /// Retry-After, never 500, so the platform sends it again later.
    /// </summary>
    private IResult FromConversations(HttpContext context, RpcException e)
    {
        switch (e.StatusCode)
        {
            case StatusCode.InvalidArgument:
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Byoc refused the webhook's content.", detail: e.Status.Detail);
            case StatusCode.NotFound:
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Byoc knows no such target for this webhook.", detail: e.Status.Detail);
            case StatusCode.AlreadyExists:
                return Results.Ok();
            default:
                LogConversationsFailed(name.Value, e.StatusCode);
                return Unavailable(context, "Byoc cannot take the webhook now; send it again.");
        }
    }

    private static IResult Unavailable(HttpContext context, string title)
    {
        context.Response.Headers.RetryAfter = "5";
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title);
    }

    private async Task ForwardAsync(PlatformAccount account, PlatformEvent platformEvent, CancellationToken cancellationToken)
    {
        var connector = name.Value;
        switch (platformEvent)
        {
            case MessageReceived received:
                var ingest = new IngestRequest
                {
                    IdempotencyKey = $"{connector}:{account.AccountId}:{received.Message.ExternalMessageId}",
                    Connector = connector,
                    AccountId = account.AccountId,
                    Message = received.Message,
                };
                await ReplicaFailover.RunAsync(async () => await inbound.IngestAsync(ingest, cancellationToken: cancellationToken), cancellationToken);
                break;
            case ReceiptReceived receipt:
                await ReplicaFailover.RunAsync(async () => await inbound.ReportReceiptAsync(new ReportReceiptRequest
                {
                    IdempotencyKey = $"{connector}:{account.AccountId}:{receipt.MessageId}:{receipt.Status}",
                    Connector = connector,
                    AccountId = account.AccountId,
                    ExternalMessageId = receipt.MessageId,
                    Status = receipt.Status,
                    OccurredAt = Timestamp.FromDateTimeOffset(receipt.At),
                    Reason = receipt.Reason ?? string.Empty,
                }, cancellationToken: cancellationToken), cancellationToken);
                break;
            case TypingReceived typing:
                try
                {
                    await inbound.ReportSenderActionAsync(new ReportSenderActionRequest
                    {
                        Connector = connector,
                        AccountId = account.AccountId,
                        ExternalThreadId = typing.ThreadId,
                        Action = typing.IsTyping ? Messages.V1.SenderAction.TypingOn : Messages.V1.SenderAction.TypingOff,
                    }, cancellationToken: cancellationToken);
                }
                catch (RpcException e)
                {
                    // A typing indicator that does not arrive is stale anyway: never make the platform resend for it.
                    LogTypingDropped(connector, account.AccountId, e.StatusCode);
                }

                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a {Connector} webhook for account {AccountId}: {Reason}")]
    private partial void LogRejected(string connector, string accountId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Connector} webhook for account {AccountId} needs a setting the account lacks: {Reason}")]
    private partial void LogMisconfigured(string connector, string accountId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A genuine {Connector} webhook for account {AccountId} could not be parsed; answered 400")]
    private partial void LogUnreadable(string connector, string accountId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Conversations answered {Status} to a {Connector} webhook; answered 503")]
    private partial void LogConversationsFailed(string connector, StatusCode status);

    [LoggerMessage(Level = LogLevel.Information, Message = "A {Connector} typing indicator for account {AccountId} was dropped: {Status}")]
    private partial void LogTypingDropped(string connector, string accountId, StatusCode status);
}
