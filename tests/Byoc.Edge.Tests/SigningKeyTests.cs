extern alias edge;
using System.Net;
using Byoc.Edge.Tests.Infrastructure;
using StackExchange.Redis;
using TokenKeyRing = edge::Byoc.Edge.Identity.TokenKeyRing;

namespace Byoc.Edge.Tests;

public sealed class SigningKeyTests(EdgeHost host) : EdgeTest(host)
{
    private const string OutboundBody = """{"messageContent": {"payload": {"text": "hi"}}}""";

    [Fact]
    public async Task A_token_from_one_edge_replica_is_accepted_by_another_on_the_same_redis()
    {
        await using var replica = Host.Create();
        using var replicaClient = replica.CreateClient();

        var fromReplica = await TokenAsync(replicaClient);
        var fromDefault = await TokenAsync(Client);
        using var onDefault = await PostAsync(Client, $"/2.0/channel/{TestData.ChannelA}/outbound", OutboundBody, fromReplica);
        using var onReplica = await PostAsync(replicaClient, $"/2.0/channel/{TestData.ChannelA}/outbound", OutboundBody, fromDefault);

        Assert.Equal(HttpStatusCode.OK, onDefault.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onReplica.StatusCode);
    }

    [Fact]
    public async Task Two_replicas_starting_together_on_an_empty_redis_agree_on_one_signing_key()
    {
        await using var redisServer = new Byoc.Testing.RedisServer();
        await redisServer.InitializeAsync();
        await using var first = new EdgeFactory(redisServer.ConnectionString, Conversations, new Dictionary<string, string?>(), null);
        await using var second = new EdgeFactory(redisServer.ConnectionString, Conversations, new Dictionary<string, string?>(), null);
        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();

        var tokens = await Task.WhenAll(TokenAsync(firstClient), TokenAsync(secondClient));
        using var crossOne = await PostAsync(secondClient, $"/2.0/channel/{TestData.ChannelA}/outbound", OutboundBody, tokens[0]);
        using var crossTwo = await PostAsync(firstClient, $"/2.0/channel/{TestData.ChannelA}/outbound", OutboundBody, tokens[1]);

        Assert.Equal(HttpStatusCode.OK, crossOne.StatusCode);
        Assert.Equal(HttpStatusCode.OK, crossTwo.StatusCode);
        Assert.Equal(
            TokenEndpointTests.JwtHeader(tokens[0]).GetProperty("kid").GetString(),
            TokenEndpointTests.JwtHeader(tokens[1]).GetProperty("kid").GetString());
    }

    [Fact]
    public async Task A_token_survives_a_restart_of_the_edge()
    {
        string token;
        await using (var before = Host.Create())
        {
            using var client = before.CreateClient();
            token = await TokenAsync(client);
        }

        await using var after = Host.Create();
        using var afterClient = after.CreateClient();
        using var response = await PostAsync(afterClient, $"/2.0/channel/{TestData.ChannelA}/outbound", OutboundBody, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_keys_in_redis_are_protected_by_data_protection_whose_key_ring_is_in_redis_too()
    {
        await TokenAsync(Client);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Host.Redis.ConnectionString);
        var database = redis.GetDatabase();

        var stored = (string?)await database.StringGetAsync(TokenKeyRing.RedisKey);

        Assert.NotNull(stored);
        // Our plain format is "base64(pkcs8).base64(aes)"; a Data Protection payload is one base64url string.
        Assert.DoesNotContain(".", stored, StringComparison.Ordinal);
        // A PKCS#8 key in base64 starts with "MI"; a Data Protection payload with its magic header 09 F0 C9 F0.
        Assert.StartsWith("CfDJ8", stored, StringComparison.Ordinal);
        Assert.True(await database.ListLengthAsync("byoc:v1:edge:data-protection-keys") > 0);
    }
}

public sealed class TokenKeyRingOutageTests(EdgeHost host) : EdgeTest(host)
{
    [Fact]
    public async Task The_token_keys_are_read_before_the_edge_takes_its_first_request()
    {
        await using var redis = new Byoc.Testing.RedisServer();
        await redis.InitializeAsync();
        await using var edge = new EdgeFactory(redis.ConnectionString + ",connectTimeout=500,syncTimeout=1000", Conversations,
            new Dictionary<string, string?>(), services: null);
        using var client = edge.CreateClient();
        // Started, not a single request yet: a burst of first requests must not each go to Redis for the keys
        // (blocking calls that starved the thread pool into 500s after a restart).
        await redis.StopAsync();

        using var response = await RequestTokenAsync(client, TestData.ClientA, TestData.SecretA);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Redis_down_at_start_answers_503_with_retry_after_and_is_not_remembered_once_redis_is_back()
    {
        await using var redis = new Byoc.Testing.RedisServer();
        await redis.InitializeAsync();
        await redis.StopAsync();
        await using var edge = new EdgeFactory(redis.ConnectionString + ",connectTimeout=500,syncTimeout=1000", Conversations,
            new Dictionary<string, string?> { ["Edge:Token:KeysWaitAtStart"] = "00:00:01" }, services: null);
        using var client = edge.CreateClient();

        using (var during = await RequestTokenAsync(client, TestData.ClientA, TestData.SecretA))
        {
            // An outage the caller retries, never a 500.
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.NotNull(during.Headers.RetryAfter);
            Assert.Equal("application/problem+json", during.Content.Headers.ContentType?.MediaType);
        }

        using (var webhook = await client.PostAsync("/hooks/junglebook/monkey-kingdom", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, webhook.StatusCode);
        }

        await redis.StartAsync();

        await Byoc.Testing.Poll.UntilAsync(async () =>
        {
            using var after = await RequestTokenAsync(client, TestData.ClientA, TestData.SecretA);
            return after.StatusCode == System.Net.HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), "a token is issued once Redis is back");
    }
}
