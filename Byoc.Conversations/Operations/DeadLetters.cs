using Byoc.Conversations.Inbound;
using Byoc.Conversations.V1;
using Google.Protobuf.WellKnownTypes;
using StackExchange.Redis;

namespace Byoc.Conversations.Operations;

/// <summary>
/// Work CXone refused (4xx) or that ran out of retries, kept with the reason and CXone's answer until an operator
/// replays it (back onto the inbound queue, in its thread's partition) one by one or in bulk.
/// </summary>
public sealed class DeadLetters(IConnectionMultiplexer redis, InboundStreams queue, MessageTimeline timeline, TimeProvider time, Microsoft.Extensions.Options.IOptions<ConversationsOptions> options)
{
    public async Task AddAsync(InboundWork work, string reason, string? cxoneResponse, int attempts)
    {
        var entries = work.ToEntries().Concat(
        [
            new NameValueEntry("reason", reason),
            new NameValueEntry("cxoneResponse", cxoneResponse is { Length: > 2000 } long_ ? long_[..2000] : cxoneResponse ?? string.Empty),
            new NameValueEntry("attempts", attempts),
            new NameValueEntry("failedAt", time.GetUtcNow().ToUnixTimeMilliseconds()),
        ]).ToArray();
        // Capped, oldest first out: an outage that dead-letters everything must not fill Redis (which never evicts).
        await redis.GetDatabase().StreamAddAsync(RedisKeys.DeadLetters, entries, maxLength: options.Value.DeadLetterCap, useApproximateMaxLength: false);
        timeline.Record(work.ChannelId, work.MessageId, "dead_lettered", reason);
    }

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int limit)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(RedisKeys.DeadLetters, count: limit <= 0 ? 100 : limit);
        return [.. entries.Select(ToDeadLetter)];
    }

    /// <summary>Replays the named dead letters, or every one when <paramref name="ids"/> is empty; returns how many.</summary>
    public async Task<int> ReplayAsync(IReadOnlyCollection<string> ids)
    {
        var db = redis.GetDatabase();
        var entries = ids.Count == 0
            ? await db.StreamRangeAsync(RedisKeys.DeadLetters)
            : (await Task.WhenAll(ids.Select(id => db.StreamRangeAsync(RedisKeys.DeadLetters, id, id)))).SelectMany(e => e).ToArray();
        foreach (var entry in entries)
        {
            var work = InboundWork.FromEntries(entry.Values);
            // Queued before deleted: a crash in between replays it twice, which CXone's upsert absorbs.
            await queue.EnqueueAgainAsync(work);
            await db.StreamDeleteAsync(RedisKeys.DeadLetters, [entry.Id]);
            timeline.Record(work.ChannelId, work.MessageId, "replayed");
        }

        return entries.Length;
    }

    private static DeadLetter ToDeadLetter(StreamEntry entry)
    {
        string Get(string name) => entry.Values.FirstOrDefault(v => v.Name == name).Value.ToString() ?? string.Empty;
        return new DeadLetter
        {
            Id = entry.Id.ToString(),
            ChannelId = Get("channel"),
            MessageId = Get("message"),
            Reason = Get("reason"),
            CxoneResponse = Get("cxoneResponse"),
            Attempts = int.TryParse(Get("attempts"), out var attempts) ? attempts : 0,
            FailedAt = long.TryParse(Get("failedAt"), out var at) ? Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(at)) : null,
        };
    }
}
