using Byoc.Conversations.Registry;
using Byoc.Conversations.V1;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Byoc.Conversations.Identity;

/// <summary>
/// The ID map: every CXone id Byoc hands out, stored both ways per channel. Each mapping is a key of its own with
/// a TTL of <see cref="ConversationsOptions.IdRetention"/>, renewed whenever the id is used again, so a live thread
/// or a returning customer keeps its ids while the rest ages out (a hash per channel could not expire its fields
/// before Redis 7.4, and would grow into one hot key).
/// </summary>
public sealed class IdMap(IConnectionMultiplexer redis, IOptions<ConversationsOptions> options)
{
    public readonly record struct Entry(IdKind Kind, string NativeId);

    /// <summary>
    /// Derives the CXone id of a platform object and queues its storage on <paramref name="batch"/>; the writes
    /// join <paramref name="writes"/>, to be awaited once for the whole batch (one round trip for many ids).
    /// </summary>
    public string Remember(IBatch batch, List<Task> writes, Channel channel, IdKind kind, string nativeId)
    {
        var retention = options.Value.IdRetention;
        var cxoneId = ExternalIds.Derive(channel.Connector, channel.AccountId, kind, nativeId);
        var platformKey = PlatformKey(kind, nativeId);
        writes.Add(batch.StringSetAsync(RedisKeys.IdByCxoneId(channel.Id, cxoneId), platformKey, retention));
        writes.Add(batch.StringSetAsync(RedisKeys.IdByPlatformId(channel.Id, platformKey), cxoneId, retention));
        if (kind == IdKind.Thread)
        {
            writes.Add(batch.StringSetAsync(RedisKeys.ThreadChannel(cxoneId), channel.Id, retention));
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
        var db = redis.GetDatabase();
        var value = await db.StringGetAsync(RedisKeys.IdByCxoneId(channelId, cxoneId));
        if (value.IsNullOrEmpty)
        {
            // Written before retention existed (a hash per channel, never expiring): read, never written again.
            value = await db.HashGetAsync(RedisKeys.LegacyIdsByCxoneId(channelId), cxoneId);
        }

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
        var db = redis.GetDatabase();
        var value = await db.StringGetAsync(RedisKeys.IdByPlatformId(channelId, PlatformKey(kind, nativeId)));
        if (value.IsNullOrEmpty)
        {
            value = await db.HashGetAsync(RedisKeys.LegacyIdsByPlatformId(channelId), PlatformKey(kind, nativeId));
        }

        return value.IsNullOrEmpty ? null : value.ToString();
    }

    public async Task<string?> FindThreadChannelAsync(string cxoneThreadId)
    {
        var db = redis.GetDatabase();
        var value = await db.StringGetAsync(RedisKeys.ThreadChannel(cxoneThreadId));
        if (value.IsNullOrEmpty)
        {
            value = await db.HashGetAsync(RedisKeys.LegacyThreadChannels, cxoneThreadId);
        }

        return value.IsNullOrEmpty ? null : value.ToString();
    }

    private static string PlatformKey(IdKind kind, string nativeId) => $"{(int)kind}\n{nativeId}";
}
