using System.Text.Json.Nodes;
using Byoc.Conversations.Cxone;
using Byoc.Conversations.Operations;
using Byoc.Conversations.Registry;

namespace Byoc.Conversations.Inbound;

/// <summary>
/// One attempt at delivering a unit of inbound work to CXone, and what follows from CXone's answer: accepted,
/// refused (a 4xx: a dead letter with CXone's answer), or to be retried. When and whether to retry is the
/// <see cref="PartitionPump"/>'s decision (the integration's schedule, the retry budget kept in Redis), so a
/// waiting retry holds nothing.
/// </summary>
public sealed partial class InboundDelivery(
    RegistryStore registry,
    CxoneClient cxone,
    DeadLetters deadLetters,
    MessageTimeline timeline,
    ILogger<InboundDelivery> logger)
{
    /// <summary>The integration the work goes to; null (and the work is a dead letter) when it is gone.</summary>
    public async Task<Integration?> ResolveAsync(InboundWork work)
    {
        var channel = await registry.GetChannelAsync(work.ChannelId);
        var integration = channel is null ? null : await registry.GetIntegrationAsync(channel.IntegrationId);
        if (integration is null)
        {
            await deadLetters.AddAsync(work, null, V1.ErrorSource.Byoc, $"channel {work.ChannelId} or its integration is no longer registered", null, 0);
        }

        return integration;
    }

    /// <summary>Sends the work once; a message goes to CXone as it was queued, only a status is read here.</summary>
    public async Task<CxoneResult> SendAsync(InboundWork work, Integration integration, int attempt, CancellationToken cancellationToken)
    {
        timeline.Record(work.ChannelId, work.MessageId, "sent_to_cxone", attempt == 1 ? null : $"attempt {attempt}");
        var status = work.Kind == InboundWork.StatusKind ? JsonNode.Parse(work.Body)!.AsObject() : null;
        var result = status is not null
            ? await cxone.UpdateStatusAsync(integration, work.ChannelId, work.MessageId, status, cancellationToken)
            : await cxone.CreateMessageAsync(integration, work.ChannelId, work.Body, cancellationToken);

        // A status can reach CXone before CXone has stored the agent's message it is about: wait for it.
        if (status is not null && result.StatusCode == 404)
        {
            result = result with { Outcome = CxoneOutcome.Retryable };
        }

        if (result.Outcome == CxoneOutcome.Accepted)
        {
            timeline.Record(work.ChannelId, work.MessageId, "accepted", status?["status"]?.ToString());
        }

        return result;
    }

    public async Task RefusedAsync(InboundWork work, Integration integration, CxoneResult result, int attempt)
    {
        LogRejected(work.Kind, work.MessageId, work.ChannelId, result.StatusCode);
        await deadLetters.AddAsync(work, integration, V1.ErrorSource.Cxone, $"CXone refused it with {result.StatusCode}", result.Body, attempt);
    }

    public Task ExhaustedAsync(InboundWork work, Integration integration, CxoneResult result, int attempt) =>
        deadLetters.AddAsync(work, integration, V1.ErrorSource.Cxone, $"no success after {attempt} attempts; last: {Describe(result)}", result.Body, attempt);

    public void WillRetry(InboundWork work, CxoneResult result, TimeSpan delay)
    {
        timeline.Record(work.ChannelId, work.MessageId, "retry", $"{Describe(result)}; next attempt in {delay.TotalMilliseconds:0} ms");
        LogRetry(work.MessageId, Describe(result), (int)delay.TotalMilliseconds);
    }

    private static string Describe(CxoneResult result) => result.StatusCode == 0 ? result.Body ?? "no answer" : $"HTTP {result.StatusCode}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "CXone refused {Kind} {MessageId} on channel {ChannelId} with {Status}; it is now a dead letter")]
    private partial void LogRejected(string kind, string messageId, string channelId, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery of {MessageId} to CXone will be retried: {Reason}; waiting {DelayMs} ms")]
    private partial void LogRetry(string messageId, string reason, int delayMs);
}
