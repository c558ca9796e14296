using System.Text.Json;
using Byoc.Conversations.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Byoc.Conversations.Operations;

/// <summary>
/// The hops of each message, kept for <see cref="ConversationsOptions.TimelineRetention"/>. Recording never waits:
/// a lost hop costs an operator some detail, never a message, and the hot path stays one round trip shorter.
/// </summary>
public sealed class MessageTimeline(IConnectionMultiplexer redis, IOptions<ConversationsOptions> options, TimeProvider time)
{
    public void Record(string channelId, string messageId, string hop, string? detail = null)
    {
        var key = RedisKeys.Timeline(channelId, messageId);
        var entry = JsonSerializer.Serialize(new StoredHop(time.GetUtcNow().ToUnixTimeMilliseconds(), hop, detail), TimelineJson.Default.StoredHop);
        var db = redis.GetDatabase();
        db.ListRightPush(key, entry, flags: CommandFlags.FireAndForget);
        db.KeyExpire(key, options.Value.TimelineRetention, flags: CommandFlags.FireAndForget);
    }

    public async Task<IReadOnlyList<TimelineHop>> ReadAsync(string channelId, string messageId)
    {
        var entries = await redis.GetDatabase().ListRangeAsync(RedisKeys.Timeline(channelId, messageId));
        return [.. entries.Select(e => JsonSerializer.Deserialize(e.ToString(), TimelineJson.Default.StoredHop)!)
            .Select(h => new TimelineHop
            {
                At = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(h.At)),
                Hop = h.Hop,
                Detail = h.Detail ?? string.Empty,
            })];
    }

    internal sealed record StoredHop(long At, string Hop, string? Detail);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(MessageTimeline.StoredHop))]
internal sealed partial class TimelineJson : System.Text.Json.Serialization.JsonSerializerContext;
