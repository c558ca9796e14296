using Byoc.Conversations.Identity;
using Byoc.Conversations.Outbound;
using Byoc.Conversations.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Byoc.Conversations.Grpc;

/// <summary>Edge → Conversations: what CXone asks of the middleware for a channel.</summary>
public sealed class OutboundService(
    OutboundDelivery delivery,
    ChannelResolver channels,
    IdMap ids,
    ConnectorClients connectors,
    IOptions<ConversationsOptions> options,
    TimeProvider time) : V1.Outbound.OutboundBase
{
    public override Task<DeliverResponse> Deliver(DeliverRequest request, ServerCallContext context) =>
        delivery.DeliverAsync(request, context.CancellationToken);

    public override async Task<ValidateRecipientsResponse> ValidateRecipients(ValidateRecipientsRequest request, ServerCallContext context)
    {
        var channel = await channels.ResolveAsync(request.IntegrationId, request.ChannelId, string.Empty);
        var asked = new Connectors.V1.ValidateRecipientsRequest { AccountId = channel.AccountId };
        foreach (var recipient in request.Recipients)
        {
            var native = (await ids.FindByCxoneIdAsync(channel.Id, recipient.ExternalId))?.NativeId ?? recipient.ExternalId;
            asked.Recipients.Add(new Messages.V1.Recipient(recipient) { ExternalId = native });
        }

        var answer = await CallConnectorAsync(channel.Connector, client => client.ValidateRecipientsAsync(asked, deadline: Deadline(), cancellationToken: context.CancellationToken).ResponseAsync);
        return new ValidateRecipientsResponse { Valid = answer.Valid, DisplayErrorMessage = answer.DisplayErrorMessage, Errors = { answer.Errors } };
    }

    public override async Task<SendSenderActionResponse> SendSenderAction(SendSenderActionRequest request, ServerCallContext context)
    {
        var channel = await channels.ResolveAsync(request.IntegrationId, request.ChannelId, request.ThreadId);
        var thread = (await ids.FindByCxoneIdAsync(channel.Id, request.ThreadId))?.NativeId ?? request.ThreadId;
        await CallConnectorAsync(channel.Connector, client => client.SendSenderActionAsync(new Connectors.V1.SendSenderActionRequest
        {
            IdempotencyKey = request.IdempotencyKey,
            AccountId = channel.AccountId,
            ExternalThreadId = thread,
            Action = request.Action,
        }, deadline: Deadline(), cancellationToken: context.CancellationToken).ResponseAsync);
        return new SendSenderActionResponse();
    }

    private DateTime Deadline() => time.GetUtcNow().UtcDateTime + options.Value.ConnectorDeadline;

    // A connector that cannot be reached is Unavailable to the Edge (503 with Retry-After), whatever the cause.
    private async Task<T> CallConnectorAsync<T>(string connector, Func<Connectors.V1.Connector.ConnectorClient, Task<T>> call)
    {
        try
        {
            return await call(connectors.For(connector));
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"connector '{connector}' is unavailable ({e.StatusCode})"));
        }
    }
}
