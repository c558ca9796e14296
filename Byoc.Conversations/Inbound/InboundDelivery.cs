using System.Text.Json.Nodes;
using Byoc.Conversations.Cxone;
using Byoc.Conversations.Operations;
using Byoc.Conversations.Registry;
using Microsoft.Extensions.Options;

namespace Byoc.Conversations.Inbound;

/// <summary>
/// Delivers one unit of inbound work to CXone, retrying in place (so the thread behind it waits and keeps its
/// order) on 429, 5xx and timeouts, honouring Retry-After, else backing off exponentially with jitter. A 4xx,
/// or running out of attempts, makes it a dead letter with CXone's answer.
/// </summary>
public sealed partial class InboundDelivery(
    RegistryStore registry,
    CxoneClient cxone,
    DeadLetters deadLetters,
    MessageTimeline timeline,
    IOptions<ConversationsOptions> options,
    TimeProvider time,
    ILogger<InboundDelivery> logger)
{
    /// <summary>
    /// Delivers (or dead-letters) the work; false, without sending, when <paramref name="stillOwner"/> says before an
    /// attempt that this replica no longer holds the partition (the work stays pending for the new owner).
    /// </summary>
    public async Task<bool> DeliverAsync(InboundWork work, Func<CancellationToken, Task<bool>> stillOwner, CancellationToken cancellationToken)
    {
        var channel = await registry.GetChannelAsync(work.ChannelId);
        var integration = channel is null ? null : await registry.GetIntegrationAsync(channel.IntegrationId);
        if (integration is null)
        {
            await deadLetters.AddAsync(work, $"channel {work.ChannelId} or its integration is no longer registered", null, 0);
            return true;
        }

        // A message goes to CXone as it was queued; only a status is read here.
        var status = work.Kind == InboundWork.StatusKind ? JsonNode.Parse(work.Body)!.AsObject() : null;
        var started = time.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            if (!await stillOwner(cancellationToken))
            {
                return false;
            }

            timeline.Record(work.ChannelId, work.MessageId, "sent_to_cxone", attempt == 1 ? null : $"attempt {attempt}");
            var result = status is not null
                ? await cxone.UpdateStatusAsync(integration, work.ChannelId, work.MessageId, status, cancellationToken)
                : await cxone.CreateMessageAsync(integration, work.ChannelId, work.Body, cancellationToken);

            // A status can reach CXone before CXone has stored the agent's message it is about: wait for it.
            if (work.Kind == InboundWork.StatusKind && result.StatusCode == 404)
            {
                result = result with { Outcome = CxoneOutcome.Retryable };
            }

            switch (result.Outcome)
            {
                case CxoneOutcome.Accepted:
                    timeline.Record(work.ChannelId, work.MessageId, "accepted", status?["status"]?.ToString());
                    return true;
                case CxoneOutcome.Rejected:
                    LogRejected(work.Kind, work.MessageId, work.ChannelId, result.StatusCode);
                    await deadLetters.AddAsync(work, $"CXone refused it with {result.StatusCode}", result.Body, attempt);
                    return true;
                case CxoneOutcome.Retryable when attempt >= options.Value.MaxAttempts || time.GetUtcNow() - started >= options.Value.RetryFor:
                    await deadLetters.AddAsync(work, $"no success after {attempt} attempts; last: {Describe(result)}", result.Body, attempt);
                    return true;
                default:
                    var delay = DelayBefore(attempt + 1, result.RetryAfter);
                    timeline.Record(work.ChannelId, work.MessageId, "retry", $"{Describe(result)}; next attempt in {delay.TotalMilliseconds:0} ms");
                    LogRetry(work.MessageId, Describe(result), (int)delay.TotalMilliseconds);
                    await Task.Delay(delay, time, cancellationToken);
                    break;
            }
        }
    }

    /// <summary>Retry-After when CXone gives it (in full, within the retry budget), else exponential backoff with jitter (half fixed, half random).</summary>
    public TimeSpan DelayBefore(int attempt, TimeSpan? retryAfter)
    {
        var max = options.Value.RetryMaxDelay;
        if (retryAfter is { } given && given > TimeSpan.Zero)
        {
            return given < options.Value.RetryFor ? given : options.Value.RetryFor;
        }

        var ceiling = Math.Min(max.TotalMilliseconds, options.Value.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 2, 20)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private static string Describe(CxoneResult result) => result.StatusCode == 0 ? result.Body ?? "no answer" : $"HTTP {result.StatusCode}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "CXone refused {Kind} {MessageId} on channel {ChannelId} with {Status}; it is now a dead letter")]
    private partial void LogRejected(string kind, string messageId, string channelId, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery of {MessageId} to CXone will be retried: {Reason}; waiting {DelayMs} ms")]
    private partial void LogRetry(string messageId, string reason, int delayMs);
}
