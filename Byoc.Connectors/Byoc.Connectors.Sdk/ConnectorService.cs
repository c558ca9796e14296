using Byoc.Connectors.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// The connector contract served for any <see cref="IPlatform"/>: looks the account up, fits the content to the
/// platform, and turns the platform's exceptions into gRPC statuses Conversations acts on (FAILED_PRECONDITION:
/// refused for good, the agent is told; UNAVAILABLE / RESOURCE_EXHAUSTED: not taken now; INTERNAL: the connector
/// failed), each with a <see cref="SendFailure"/> trailer saying whether the platform may have the message
/// (docs/architecture.md, "Outbound outcomes").
/// </summary>
internal sealed class ConnectorService(IPlatform platform, ConnectorName connector, AccountDirectory accounts, TimeProvider time) : Connector.ConnectorBase
{
    public override Task<DescribeResponse> Describe(DescribeRequest request, ServerCallContext context)
    {
        var description = platform.Description;
        return Task.FromResult(new DescribeResponse
        {
            Connector = connector.Value,
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
            string.IsNullOrEmpty(request.ReplyToExternalMessageId) ? null : request.ReplyToExternalMessageId,
            request.PartsAlreadyAccepted, string.IsNullOrEmpty(request.FirstPartMessageId) ? null : request.FirstPartMessageId), context.CancellationToken);
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

    /// <summary>
    /// The admin's "check point of contact": the accounts are read again first (the settings may just have been
    /// changed), then the platform is asked. A refusal or an outage is an answer (ok = false, with the platform's
    /// words), not an error: only an unknown account is.
    /// </summary>
    public override async Task<CheckAccountResponse> CheckAccount(CheckAccountRequest request, ServerCallContext context)
    {
        await accounts.RefreshAsync(context.CancellationToken);
        var account = await accounts.GetAsync(request.AccountId, context.CancellationToken);
        try
        {
            return await platform.CheckAccountAsync(account, context.CancellationToken)
                ? new CheckAccountResponse { Ok = true, Detail = "the platform accepted the account's credentials" }
                : new CheckAccountResponse { Ok = false, Detail = "the platform did not accept the account's credentials" };
        }
        catch (Exception e) when (e is PlatformRejectedException or PlatformUnavailableException or HttpRequestException or Polly.ExecutionRejectedException)
        {
            return new CheckAccountResponse { Ok = false, Detail = e.Message };
        }
    }

    /// <summary>The trailer that says whether a failed send may be sent again (see connector.proto's SendFailure).</summary>
    public const string SendFailureTrailer = "send-failure-bin";

    private static async Task<T> Guarded<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not (RpcException or OperationCanceledException))
        {
            throw ToStatus(e, new SendFailure());
        }
    }

    /// <summary>
    /// The status for a failure, with a <see cref="SendFailure"/> trailer saying whether the platform may have the
    /// message: only a refusal is FAILED_PRECONDITION, and anything unexpected (a bug after the platform accepted,
    /// an answer that cannot be read) is an unknown outcome, never a refusal and never "not sent".
    /// </summary>
    private static RpcException ToStatus(Exception failure, SendFailure detail)
    {
        var (status, message) = failure switch
        {
            PartlySentException partly => Partly(partly, detail),
            PlatformRejectedException e => Kind(detail, SendFailureKind.Refused, StatusCode.FailedPrecondition, e.Message),
            PlatformUnavailableException e => Kind(detail, e.NotSent ? SendFailureKind.NotSent : SendFailureKind.Unknown,
                e.RetryAfter is null ? StatusCode.Unavailable : StatusCode.ResourceExhausted, e.Message, e.RetryAfter),
            HttpRequestException e => Kind(detail, PlatformApi.NeverConnected(e) ? SendFailureKind.NotSent : SendFailureKind.Unknown,
                StatusCode.Unavailable, $"the platform could not be reached: {e.Message}"),
            // A resilience pipeline gave up (timeout, open circuit): the send may or may not have happened, never "refused".
            Polly.ExecutionRejectedException e => Kind(detail, PlatformApi.NeverConnected(e) ? SendFailureKind.NotSent : SendFailureKind.Unknown,
                StatusCode.Unavailable, $"the platform did not answer: {e.GetType().Name}"),
            _ => Kind(detail, SendFailureKind.Unknown, StatusCode.Internal, $"the connector failed ({failure.GetType().Name}); the platform may have the message"),
        };
        var trailers = new Metadata { { SendFailureTrailer, detail.ToByteArray() } };
        if (detail.RetryAfterSeconds > 0)
        {
            trailers.Add("retry-after", detail.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return new RpcException(new Status(status, message), trailers);
    }

    private static (StatusCode, string) Partly(PartlySentException partly, SendFailure detail)
    {
        detail.PartsAccepted = partly.PartsAccepted;
        detail.FirstPartMessageId = partly.FirstPartMessageId;
        var inner = ToStatus(partly.InnerException ?? partly, detail);
        return (inner.StatusCode, $"{partly.PartsAccepted} parts were accepted, then: {inner.Status.Detail}");
    }

    private static (StatusCode, string) Kind(SendFailure detail, SendFailureKind kind, StatusCode status, string message, TimeSpan? retryAfter = null)
    {
        detail.Kind = kind;
        if (retryAfter is { } after)
        {
            detail.RetryAfterSeconds = (int)Math.Ceiling(after.TotalSeconds);
        }

        return (status, message);
    }
}
