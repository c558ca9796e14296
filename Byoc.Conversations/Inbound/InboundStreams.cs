using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Byoc.Conversations.Inbound;

/// <summary>
/// The durable inbound queue: <see cref="ConversationsOptions.Partitions"/> Redis streams. A thread always lands in
/// the same partition, so one consumer at a time sees its messages in order. Dedup and append are one script on
/// keys of one hash tag: a message is either recorded as seen and queued, or neither.
/// </summary>
public sealed class InboundStreams(IConnectionMultiplexer redis, IOptions<ConversationsOptions> options)
{
    public const string Group = "deliver";

    private const string DedupThenAppend = """
        if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
          redis.call('XADD', KEYS[2], '*', 'kind', ARGV[2], 'channel', ARGV[3], 'thread', ARGV[4], 'message', ARGV[5], 'body', ARGV[6])
          return 1
        end
        -- Seen before: a write all the same (same value and TTL), so that waiting for this connection's writes to be
        -- durable also covers the first ingest, which may not be fsynced yet.
        redis.call('SET', KEYS[1], '1', 'XX', 'KEEPTTL')
        return 0
        """;

    public int Partitions => options.Value.Partitions;

    public int PartitionOf(string orderKey)
    {
        // FNV-1a: stable across processes and versions, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(orderKey))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)Partitions);
    }

    /// <summary>Queues the work unless its dedup key was seen; true when queued now. Written on <paramref name="db"/> (see <see cref="IngestDurability"/>).</summary>
    public async Task<bool> EnqueueOnceAsync(InboundWork work, string dedupKey, IDatabase? db = null)
    {
        var partition = PartitionOf(work.OrderKey);
        db ??= redis.GetDatabase();
        var queued = (int)await db.ScriptEvaluateAsync(
            DedupThenAppend,
            [RedisKeys.Seen(partition, dedupKey), RedisKeys.InboundStream(partition)],
            [
                (long)options.Value.DedupRetention.TotalMilliseconds,
                work.Kind, work.ChannelId, work.ThreadId, work.MessageId, work.Body,
            ]) == 1;
        if (queued)
        {
            Signal(partition);
        }

        return queued;
    }

    /// <summary>Queues again without dedup (dead-letter replay).</summary>
    public async Task EnqueueAgainAsync(InboundWork work)
    {
        var partition = PartitionOf(work.OrderKey);
        await redis.GetDatabase().StreamAddAsync(RedisKeys.InboundStream(partition), work.ToEntries());
        Signal(partition);
    }

    // Wakes the replica that owns the partition; it also polls, so a lost signal only delays.
    private void Signal(int partition) =>
        redis.GetSubscriber().Publish(RedisChannel.Literal(RedisKeys.InboundSignal), partition.ToString(CultureInfo.InvariantCulture), CommandFlags.FireAndForget);
}
