using System.Threading.RateLimiting;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// A platform's send rate limits, one per thread and one per account (Telegram: about one message a second in a
/// chat, thirty a second for a bot). Sends wait their turn, oldest first, so an agent's messages keep their order;
/// waiting here is cheaper than a 429 that sends the message back to Conversations.
/// </summary>
public sealed class SendRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<(string Account, string Thread)> _limits;

    /// <param name="perThreadPerSecond">Sends a second into one thread.</param>
    /// <param name="perAccountPerSecond">Sends a second for one account, over all its threads.</param>
    /// <param name="queueLimit">Sends that may wait for one limit; beyond it the send is unavailable for now.</param>
    public SendRateLimits(int perThreadPerSecond, int perAccountPerSecond, int queueLimit = 10_000)
    {
        _limits = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<(string Account, string Thread), (string, string)>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => PerSecond(perThreadPerSecond, queueLimit))),
            PartitionedRateLimiter.Create<(string Account, string Thread), string>(key => RateLimitPartition.GetTokenBucketLimiter(key.Account, _ => PerSecond(perAccountPerSecond, queueLimit))));
    }

    /// <summary>Waits for the thread's and the account's turn; throws <see cref="PlatformUnavailableException"/> when too many wait.</summary>
    public async Task WaitTurnAsync(string accountId, string threadId, CancellationToken cancellationToken)
    {
        using var lease = await _limits.AcquireAsync((accountId, threadId), 1, cancellationToken);
        if (!lease.IsAcquired)
        {
            throw new PlatformUnavailableException("too many messages are waiting for the platform's rate limits", TimeSpan.FromSeconds(1));
        }
    }

    public void Dispose() => _limits.Dispose();

    private static TokenBucketRateLimiterOptions PerSecond(int sends, int queueLimit) => new()
    {
        TokenLimit = sends,
        TokensPerPeriod = sends,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = queueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    };
}
