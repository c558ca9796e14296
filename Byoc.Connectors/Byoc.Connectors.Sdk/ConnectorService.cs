using Byoc.Connectors.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// The connector contract served for any <see cref="IPlatform"/>: looks the account up, fits the content to the
/// platform, and turns the platform's exceptions into gRPC statuses Conversations acts on (FAILED_PRECONDITION:
/// refused for good, the agent is told; UNAVAILABLE / RESOURCE_EXHAUSTED: try again later).
/// </summary>
internal sealed class ConnectorService(IPlatform platform, AccountDirectory accounts, TimeProvider time) : Connector.ConnectorBase
{
    public override Task<DescribeResponse> Describe(DescribeRequest request, ServerCallContext context)
    {
        var description = platform.Description;
        return Task.FromResult(new DescribeResponse
        {
            Connector = description.Connector,
            DisplayName = description.DisplayName,
            CxoneIcon = description.CxoneIcon,
            Capabilities = description.Capabilities,
            Settings = { description.Settings },
        });
    }

    public override Task<SendResponse> Send(SendRequest request, ServerCallContext context) => Guarded(async () =>
    {
        var account = await accounts.GetAsync(request.AccountId, context.CancellationToken);
        var (content, changes) = ContentAdapter.Adapt(request.Content ?? new Messages.V1.MessageContent(), platform.Description.Capabilities);
        var sent = await platform.SendAsync(account, new OutgoingMessage(
            request.IdempotencyKey, request.ExternalThreadId, [.. request.Recipients], content,
            string.IsNullOrEmpty(request.ReplyToExternalMessageId) ? null : request.ReplyToExternalMessageId), context.CancellationToken);
        return new SendResponse
        {
            ExternalMessageId = sent.MessageId,
            ExternalThreadId = sent.NewThreadId ?? string.Empty,
            CreatedAt = Timestamp.FromDateTimeOffset(sent.CreatedAt ?? time.GetUtcNow()),
            MessageUrl = sent.Url ?? string.Empty,
            EndUsers = { sent.EndUsers ?? [] },
            Degradations = { changes },
        };
    });

    public override Task<ValidateRecipientsResponse> ValidateRecipients(ValidateRecipientsRequest request, ServerCallContext context) => Guarded(async () =>
    {
        var account = await accounts.GetAsync(request.AccountId, context.CancellationToken);
        var check = await platform.ValidateRecipientsAsync(account, [.. request.Recipients], context.CancellationToken);
        return new ValidateRecipientsResponse { Valid = check.IsValid, DisplayErrorMessage = check.DisplayErrorMessage ?? string.Empty, Errors = { check.Errors ?? [] } };
    });

    public override Task<SendSenderActionResponse> SendSenderAction(SendSenderActionRequest request, ServerCallContext context) => Guarded(async () =>
    {
        var account = await accounts.GetAsync(request.AccountId, context.CancellationToken);
        await platform.SendSenderActionAsync(account, request.ExternalThreadId, request.Action, context.CancellationToken);
        return new SendSenderActionResponse();
    });

    private static async Task<T> Guarded<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (PlatformRejectedException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        catch (PlatformUnavailableException e)
        {
            var trailers = new Metadata();
            if (e.RetryAfter is { } after)
            {
                trailers.Add("retry-after", ((int)Math.Ceiling(after.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            throw new RpcException(new Status(e.RetryAfter is null ? StatusCode.Unavailable : StatusCode.ResourceExhausted, e.Message), trailers);
        }
        catch (HttpRequestException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"the platform could not be reached: {e.Message}"));
        }
        catch (Polly.ExecutionRejectedException e)
        {
            // A resilience pipeline gave up (timeout, open circuit): the send may or may not have happened, never "refused".
            throw new RpcException(new Status(StatusCode.Unavailable, $"the platform did not answer: {e.GetType().Name}"));
        }
    }
}
