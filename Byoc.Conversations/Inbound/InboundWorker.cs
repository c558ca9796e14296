using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Byoc.Conversations.Inbound;

/// <summary>
/// Shares the inbound partitions among the running replicas and delivers each owned partition's work.
/// A replica owns a partition through a lease in Redis (renewed every second, lasting
/// <see cref="ConversationsOptions.PartitionLease"/>); each takes about partitions ÷ live replicas. When a replica
/// dies its leases lapse, a survivor takes the partition over, claims the entries the dead one had not
/// acknowledged, and delivers them first: at-least-once, made effectively once by CXone's upsert on our
/// deterministic ids.
/// </summary>
public sealed partial class InboundWorker(
    IConnectionMultiplexer redis,
    InboundStreams queue,
    InboundDelivery delivery,
    IntegrationGates gates,
    IOptions<ConversationsOptions> options,
    TimeProvider time,
    ILogger<InboundWorker> logger) : BackgroundService
{
    // Taking a lease raises the partition's generation and writes it into the lease: the fencing token a pump
    // checks before each delivery, so a pump whose lease another replica took (even this one, later) stops.
    private const string TakeIfFree = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return false end
        local token = ARGV[1] .. '#' .. redis.call('INCR', KEYS[2])
        redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
        return token
        """;
    private const string RenewIfMine = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
    private const string ReleaseIfMine = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
    private static readonly TimeSpan LeaseRound = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ShutdownBudget = TimeSpan.FromSeconds(1);

    private readonly string _replica = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
    private readonly ConcurrentDictionary<int, PartitionPump> _pumps = new();
    private readonly SemaphoreSlim _deliverySlots = new(options.Value.MaxConcurrentDeliveries);

    /// <summary>The partitions this replica delivers now (for tests and the status of a replica).</summary>
    public IReadOnlyCollection<int> OwnedPartitions => [.. _pumps.Keys];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(RedisChannel.Literal(RedisKeys.InboundSignal), (_, value) =>
        {
            if (int.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var partition) && _pumps.TryGetValue(partition, out var pump))
            {
                pump.Wake();
            }
        });

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await BalanceAsync(stoppingToken);
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    // A Redis hiccup must not stop the replica: the next round tries again.
                    LogLeaseRoundFailed(e.Message);
                }

                await Task.Delay(LeaseRound, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            await HandBackAsync();
        }
    }

    private async Task BalanceAsync(CancellationToken stoppingToken)
    {
        var db = redis.GetDatabase();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var leaseMs = (long)options.Value.PartitionLease.TotalMilliseconds;
        await db.SortedSetAddAsync(RedisKeys.Replicas, _replica, now);
        await db.SortedSetRemoveRangeByScoreAsync(RedisKeys.Replicas, double.NegativeInfinity, now - leaseMs);
        var live = Math.Max(1, (int)await db.SortedSetLengthAsync(RedisKeys.Replicas));
        var share = (queue.Partitions + live - 1) / live;

        foreach (var partition in _pumps.Keys.ToList())
        {
            if (_pumps.TryGetValue(partition, out var current) && !current.IsRunning)
            {
                // A pump that ended on its own is replaced; it reads once the renewal below confirms the lease.
                _pumps.TryRemove(partition, out _);
                await current.DisposeAsync();
                var pump = new PartitionPump(partition, _replica, current.LeaseToken, redis, delivery, gates, _deliverySlots, options.Value, time, logger);
                _pumps[partition] = pump;
                pump.Start(stoppingToken);
            }

            var renewedAt = time.GetUtcNow();
            var renewed = _pumps.TryGetValue(partition, out var held)
                && (int)await db.ScriptEvaluateAsync(RenewIfMine, [RedisKeys.PartitionLease(partition)], [held.LeaseToken, leaseMs]) == 1;
            if (renewed && _pumps.TryGetValue(partition, out var owned))
            {
                // Counted from before the call: the lease surely holds that long, minus a margin for clock drift.
                owned.LeaseValidUntil = renewedAt + (options.Value.PartitionLease * 0.8);
                // A pump that paused because its lease had lapsed reads on now, not at its next idle poll.
                owned.Wake();
            }

            if (!renewed)
            {
                LogLeaseLost(partition);
                await StopPumpAsync(partition);
            }
        }

        // Hand back what is above our share, so a replica that joins gets work without waiting for a death.
        foreach (var partition in _pumps.Keys.Order().Skip(share).ToList())
        {
            await ReleaseAsync(partition);
        }

        var start = Random.Shared.Next(queue.Partitions);
        for (var i = 0; i < queue.Partitions && _pumps.Count < share; i++)
        {
            var partition = (start + i) % queue.Partitions;
            if (_pumps.ContainsKey(partition))
            {
                continue;
            }

            var token = await db.ScriptEvaluateAsync(TakeIfFree, [RedisKeys.PartitionLease(partition), RedisKeys.PartitionLeaseGeneration(partition)], [_replica, leaseMs]);
            if (!token.IsNull)
            {
                var pump = new PartitionPump(partition, _replica, token.ToString(), redis, delivery, gates, _deliverySlots, options.Value, time, logger)
                {
                    LeaseValidUntil = DateTimeOffset.FromUnixTimeMilliseconds(now) + (options.Value.PartitionLease * 0.8),
                };
                _pumps[partition] = pump;
                pump.Start(stoppingToken);
                LogLeaseTaken(partition, _replica);
            }
        }
    }

    /// <summary>
    /// At shutdown, hands the leases back so that a survivor takes over at once. Bounded: when Redis is gone first
    /// (a local run stops everything together) the leases simply expire, and the process must not wait on them.
    /// </summary>
    private async Task HandBackAsync()
    {
        try
        {
            await Task.WhenAll(_pumps.Keys.ToList().Select(ReleaseAsync)).WaitAsync(ShutdownBudget, time);
            await redis.GetDatabase().SortedSetRemoveAsync(RedisKeys.Replicas, _replica).WaitAsync(ShutdownBudget, time);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogHandBackSkipped(e.Message);
        }
    }

    private async Task ReleaseAsync(int partition)
    {
        if (_pumps.TryGetValue(partition, out var pump))
        {
            var token = pump.LeaseToken;
            await StopPumpAsync(partition);
            await redis.GetDatabase().ScriptEvaluateAsync(ReleaseIfMine, [RedisKeys.PartitionLease(partition)], [token]);
        }
    }

    private async Task StopPumpAsync(int partition)
    {
        if (_pumps.TryRemove(partition, out var pump))
        {
            await pump.DisposeAsync();
        }
    }

    public override void Dispose()
    {
        _deliverySlots.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivering inbound partition {Partition} as {Replica}")]
    private partial void LogLeaseTaken(int partition, string replica);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the lease of inbound partition {Partition}; another replica delivers it now")]
    private partial void LogLeaseLost(int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leases not handed back at shutdown (they expire on their own): {Reason}")]
    private partial void LogHandBackSkipped(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A lease round failed: {Reason}")]
    private partial void LogLeaseRoundFailed(string reason);
}
