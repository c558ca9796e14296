using Byoc.Conversations.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// <c>POST /hooks/{connector}/{accountId}</c>: the raw body is verified and parsed by the platform, each event is
/// handed to Conversations (which queues it durably), and only then is the platform answered 200. A forged webhook
/// gets 401; when Conversations cannot take it, 503 with Retry-After so the platform sends it again.
/// </summary>
internal sealed partial class WebhookEndpoint(IPlatform platform, AccountDirectory accounts, Inbound.InboundClient inbound, ILogger<WebhookEndpoint> logger)
{
    public const int MaxBodyBytes = 1024 * 1024;

    public async Task<IResult> HandleAsync(HttpContext context, string accountId)
    {
        var cancellationToken = context.RequestAborted;
        var account = await accounts.FindAsync(accountId, cancellationToken);
        if (account is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No {platform.Description.Connector} account '{accountId}'.");
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
            events = await platform.ParseWebhookAsync(new Webhook(account, buffer.ToArray(), headers), cancellationToken);
        }
        catch (WebhookRejectedException e)
        {
            LogRejected(platform.Description.Connector, accountId, e.Message);
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The webhook is not genuine.", detail: e.Message);
        }
        catch (FormatException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The webhook could not be read.", detail: e.Message);
        }

        try
        {
            foreach (var platformEvent in events)
            {
                await ForwardAsync(account, platformEvent, cancellationToken);
            }
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            context.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Byoc cannot take the webhook now; send it again.");
        }

        return Results.Ok();
    }

    private async Task ForwardAsync(PlatformAccount account, PlatformEvent platformEvent, CancellationToken cancellationToken)
    {
        var connector = platform.Description.Connector;
        switch (platformEvent)
        {
            case MessageReceived received:
                await inbound.IngestAsync(new IngestRequest
                {
                    IdempotencyKey = $"{connector}:{account.AccountId}:{received.Message.ExternalMessageId}",
                    Connector = connector,
                    AccountId = account.AccountId,
                    Message = received.Message,
                }, cancellationToken: cancellationToken);
                break;
            case ReceiptReceived receipt:
                await inbound.ReportReceiptAsync(new ReportReceiptRequest
                {
                    IdempotencyKey = $"{connector}:{account.AccountId}:{receipt.MessageId}:{receipt.Status}",
                    Connector = connector,
                    AccountId = account.AccountId,
                    ExternalMessageId = receipt.MessageId,
                    Status = receipt.Status,
                    OccurredAt = Timestamp.FromDateTimeOffset(receipt.At),
                    Reason = receipt.Reason ?? string.Empty,
                }, cancellationToken: cancellationToken);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "A {Connector} typing indicator for account {AccountId} was dropped: {Status}")]
    private partial void LogTypingDropped(string connector, string accountId, StatusCode status);
}
