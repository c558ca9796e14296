using System.Collections.Concurrent;

namespace Byoc.Conversations.Inbound;

/// <summary>
/// Per integration (tenant): when its next delivery attempt may start (CXone's Retry-After, else backoff over its
/// consecutive failures, or an open auth circuit) and how many of its deliveries may run at once. Partitions mix
/// tenants, so one tenant's outage must wait here, holding no partition budget and no replica-wide slot.
/// </summary>
public sealed class IntegrationGates(ConversationsOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    public DateTimeOffset NotBefore(string integrationId) => For(integrationId).NotBefore;

    /// <summary>Waits until the integration's schedule allows an attempt (it may move while waiting).</summary>
    public async Task WaitTurnAsync(string integrationId, CancellationToken cancellationToken)
    {
        var gate = For(integrationId);
        while (gate.NotBefore - time.GetUtcNow() is { } wait && wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    /// <summary>One of the integration's <see cref="ConversationsOptions.MaxConcurrentDeliveriesPerIntegration"/> turns.</summary>
    public async Task<IDisposable> EnterAsync(string integrationId, CancellationToken cancellationToken)
    {
        var gate = For(integrationId);
        await gate.Slots.WaitAsync(cancellationToken);
        return new Turn(gate.Slots);
    }

    public void Succeeded(string integrationId)
    {
        var gate = For(integrationId);
        Interlocked.Exchange(ref gate.Failures, 0);
    }

    /// <summary>Moves the integration's next attempt out (Retry-After in full, else backoff); returns the delay.</summary>
    public TimeSpan Failed(string integrationId, TimeSpan? retryAfter)
    {
        var gate = For(integrationId);
        var delay = DelayBefore(Interlocked.Increment(ref gate.Failures) + 1, retryAfter);
        gate.Defer(time.GetUtcNow() + delay);
        return delay;
    }

    /// <summary>Retry-After when CXone gives it (in full, within the retry budget), else exponential backoff with jitter (half fixed, half random).</summary>
    public TimeSpan DelayBefore(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } given && given > TimeSpan.Zero)
        {
            return given < options.RetryFor ? given : options.RetryFor;
        }

        var ceiling = Math.Min(options.RetryMaxDelay.TotalMilliseconds, options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 2, 20)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private Gate For(string integrationId) => _gates.GetOrAdd(integrationId, _ => new Gate(options.MaxConcurrentDeliveriesPerIntegration));

    private sealed class Gate(int slots)
    {
        private long _notBeforeTicks = DateTimeOffset.MinValue.UtcTicks;

        public int Failures;

        public SemaphoreSlim Slots { get; } = new(slots);

        public DateTimeOffset NotBefore => new(Interlocked.Read(ref _notBeforeTicks), TimeSpan.Zero);

        /// <summary>Only ever later: many deliveries failing at once must not shorten each other's wait.</summary>
        public void Defer(DateTimeOffset until)
        {
            long current;
            do
            {
                current = Interlocked.Read(ref _notBeforeTicks);
                if (until.UtcTicks <= current)
                {
                    return;
                }
            }
            while (Interlocked.CompareExchange(ref _notBeforeTicks, until.UtcTicks, current) != current);
        }
    }

    private sealed class Turn(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
