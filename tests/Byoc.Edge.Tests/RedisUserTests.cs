using System.Globalization;
using System.Net;
using Byoc.Edge.Tests.Infrastructure;
using StackExchange.Redis;

namespace Byoc.Edge.Tests;

/// <summary>
/// The Edge on a Redis ACL user limited to its own keys, with the rules the AppHost gives its local redis-server
/// (Byoc.AppHost/Extensions/RedisUserExtensions.cs, EdgeRules; the AppHost's tests check that file's users).
/// </summary>
public sealed class RedisUserTests(EdgeHost host) : EdgeTest(host)
{
    private const string Rules = "resetkeys ~byoc:v1:edge:* %R~__Booksleeve_TieBreak resetchannels &__Booksleeve_MasterChanged "
        + "-@all +@connection -@admin -@dangerous +ping +info +echo "
        + "+subscribe +unsubscribe "
        + "+get +set +setnx +setex +psetex +del +unlink +exists +incr +expire +pexpire +ttl +pttl +lrange +rpush";

    private const string Password = "edge-user-password-0123456789";

    [Fact]
    public async Task The_edge_issues_tokens_and_counts_failures_with_a_redis_user_limited_to_its_own_keys()
    {
        await CreateUserAsync();
        await using var edge = Host.Create(new Dictionary<string, string?> { ["ConnectionStrings:redis"] = EdgeUser });
        using var client = edge.CreateClient();

        using var issued = await RequestTokenAsync(client, TestData.ClientA, TestData.SecretA);
        using var refused = await RequestTokenAsync(client, TestData.ClientA, "wrong-secret");

        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        // The failure limiter fails open on a Redis error and logs 4101: it must have counted instead.
        Assert.DoesNotContain(edge.Logs.Entries, e => e.EventId.Id == 4101);
        await using var admin = await ConnectionMultiplexer.ConnectAsync(Host.Redis.ConnectionString);
        Assert.NotEmpty(await admin.GetServer(admin.GetEndPoints()[0]).KeysAsync(pattern: "byoc:v1:edge:token-failures:*").ToListAsync());
        await using var redis = await ConnectionMultiplexer.ConnectAsync(EdgeUser);
        Assert.NotEmpty(await redis.GetDatabase().ListRangeAsync("byoc:v1:edge:data-protection-keys"));
    }

    [Fact]
    public async Task The_edge_redis_user_cannot_read_or_write_a_conversations_key_nor_list_keys()
    {
        await CreateUserAsync();
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(Host.Redis.ConnectionString))
        {
            await admin.GetDatabase().StringSetAsync("byoc:v1:{i:acme}:cxone-token", "a-conversations-secret");
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(EdgeUser);
        var database = redis.GetDatabase();

        var read = await Assert.ThrowsAsync<RedisServerException>(() => database.StringGetAsync("byoc:v1:{i:acme}:cxone-token"));
        var keyRing = await Assert.ThrowsAsync<RedisServerException>(() => database.ListRangeAsync("byoc:v1:data-protection-keys"));
        var write = await Assert.ThrowsAsync<RedisServerException>(() => database.StringSetAsync("byoc:v1:{i:acme}:cxone-token", "overwritten"));
        var scan = await Assert.ThrowsAsync<RedisServerException>(() => database.ExecuteAsync("SCAN", "0"));
        await using var asAdmin = await ConnectionMultiplexer.ConnectAsync(EdgeUser + ",allowAdmin=true");
        var flush = await Assert.ThrowsAsync<RedisServerException>(() => asAdmin.GetDatabase().ExecuteAsync("FLUSHALL"));
        var config = await Assert.ThrowsAsync<RedisServerException>(() => asAdmin.GetDatabase().ExecuteAsync("CONFIG", "GET", "requirepass"));

        Assert.All(new[] { read, keyRing, write, scan, flush, config }, e => Assert.StartsWith("NOPERM", e.Message, StringComparison.Ordinal));
        Assert.True(await database.StringSetAsync("byoc:v1:edge:probe", "own", TimeSpan.FromMinutes(1)));
        Assert.Equal("own", (string?)await database.StringGetAsync("byoc:v1:edge:probe"));
    }

    private string EdgeUser => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Host.Redis.Port},user=edge-test,password={Password}");

    private async Task CreateUserAsync()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(Host.Redis.ConnectionString + ",allowAdmin=true");
        await admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("ACL", ["SETUSER", "edge-test", "reset", "on", ">" + Password, .. Rules.Split(' ')]);
    }
}
