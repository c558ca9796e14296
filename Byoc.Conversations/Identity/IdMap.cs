using Byoc.Conversations.Registry;
using Byoc.Conversations.V1;
using StackExchange.Redis;

namespace Byoc.Conversations.Identity;

/// <summary>The ID map: every CXone id Byoc hands out, stored both ways per channel.</summary>
public sealed class IdMap(IConnectionMultiplexer redis)
{
    public readonly record struct Entry(IdKind Kind, string NativeId);

    /// <summary>
    /// Derives the CXone id of a platform object and queues its storage on <paramref name="batch"/>; the writes
    /// join <paramref name="writes"/>, to be awaited once for the whole batch (one round trip for many ids).
    /// </summary>
    public static string Remember(IBatch batch, List<Task> writes, Channel channel, IdKind kind, string nativeId)
    {
        var cxoneId = ExternalIds.Derive(channel.Connector, channel.AccountId, kind, nativeId);
        var platformKey = PlatformKey(kind, nativeId);
        writes.Add(batch.HashSetAsync(RedisKeys.IdsByCxoneId(channel.Id), cxoneId, platformKey));
        writes.Add(batch.HashSetAsync(RedisKeys.IdsByPlatformId(channel.Id), platformKey, cxoneId));
        if (kind == IdKind.Thread)
        {
            writes.Add(batch.HashSetAsync(RedisKeys.ThreadChannels, cxoneId, channel.Id));
        }

        return cxoneId;
    }

    public async Task<string> RememberAsync(Channel channel, IdKind kind, string nativeId)
    {
        var batch = redis.GetDatabase().CreateBatch();
        var writes = new List<Task>();
        var cxoneId = Remember(batch, writes, channel, kind, nativeId);
        batch.Execute();
        await Task.WhenAll(writes);
        return cxoneId;
    }

    public async Task<Entry?> FindByCxoneIdAsync(string channelId, string cxoneId)
    {
        var value = await redis.GetDatabase().HashGetAsync(RedisKeys.IdsByCxoneId(channelId), cxoneId);
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        var text = value.ToString();
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        return new Entry((IdKind)int.Parse(text.AsSpan(0, newline), System.Globalization.CultureInfo.InvariantCulture), text[(newline + 1)..]);
    }

    public async Task<string?> FindByPlatformIdAsync(string channelId, IdKind kind, string nativeId)
    {
        var value = await redis.GetDatabase().HashGetAsync(RedisKeys.IdsByPlatformId(channelId), PlatformKey(kind, nativeId));
        return value.IsNullOrEmpty ? null : value.ToString();
    }

    public async Task<string?> FindThreadChannelAsync(string cxoneThreadId)
    {
        var value = await redis.GetDatabase().HashGetAsync(RedisKeys.ThreadChannels, cxoneThreadId);
        return value.IsNullOrEmpty ? null : value.ToString();
    }

    private static string PlatformKey(IdKind kind, string nativeId) => $"{(int)kind}\n{nativeId}";
}
