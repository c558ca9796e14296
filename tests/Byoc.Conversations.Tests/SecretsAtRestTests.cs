using Byoc.Conversations.Cxone;
using Byoc.Conversations.Registry;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Byoc.Conversations.Tests;

/// <summary>What a copy of Redis (a dump, the append-only file, a backup) would hand out.</summary>
[Collection(StackCollection.Name)]
public sealed class SecretsAtRestTests(ConversationsStack stack)
{
    [Fact]
    public async Task A_cached_cxone_token_appears_nowhere_in_redis_in_clear()
    {
        var integration = (await stack.Service<RegistryStore>().GetIntegrationAsync("globex"))!;
        var token = await stack.Service<CxoneTokens>().GetAsync(integration, CancellationToken.None);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);

        var dump = await DumpAsync(redis);

        Assert.True(dump.ContainsKey("byoc:v1:{i:globex}:cxone-token"), "the token is cached in Redis");
        Assert.DoesNotContain(dump, entry => entry.Value.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_data_protection_key_ring_in_redis_is_encrypted_with_the_configured_certificate()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);

        var keys = (await redis.GetDatabase().ListRangeAsync("byoc:v1:data-protection-keys")).Select(k => k.ToString()).ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.DoesNotContain("<masterKey", key, StringComparison.Ordinal);
            Assert.Contains("<encryptedSecret", key, StringComparison.Ordinal);
            Assert.Contains("<X509Certificate>", key, StringComparison.Ordinal);
        });
    }

    /// <summary>Every key with every value in it, whatever its type.</summary>
    private static async Task<Dictionary<string, string>> DumpAsync(ConnectionMultiplexer redis)
    {
        var database = redis.GetDatabase();
        var dump = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var key in redis.GetServer(redis.GetEndPoints()[0]).KeysAsync(pattern: "*"))
        {
            IEnumerable<RedisValue> values = await database.KeyTypeAsync(key) switch
            {
                RedisType.String => [await database.StringGetAsync(key)],
                RedisType.Hash => (await database.HashGetAllAsync(key)).SelectMany(e => new[] { e.Name, e.Value }),
                RedisType.List => await database.ListRangeAsync(key),
                RedisType.Set => await database.SetMembersAsync(key),
                RedisType.SortedSet => await database.SortedSetRangeByRankAsync(key),
                RedisType.Stream => (await database.StreamRangeAsync(key)).SelectMany(e => e.Values.SelectMany(v => new[] { v.Name, v.Value })),
                _ => [],
            };
            dump[key.ToString()] = string.Join('\n', values.Select(v => v.ToString()));
        }

        return dump;
    }
}
