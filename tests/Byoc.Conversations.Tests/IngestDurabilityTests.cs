using Byoc.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Byoc.Conversations.Tests;

/// <summary>Conversations on a Redis of its own, whose AOF the test chooses; nothing is delivered (no CXone).</summary>
public sealed class IngestDurabilityTests
{
    [Theory]
    [InlineData(false, "WaitAof", false)]
    [InlineData(true, "WaitAof", true)]
    [InlineData(false, "Written", true)]
    public async Task An_ingest_is_acknowledged_only_when_Redis_confirms_it_durable_as_the_mode_demands(bool appendOnly, string mode, bool acknowledged)
    {
        var redis = new RedisServer { AppendOnly = appendOnly };
        await redis.InitializeAsync();
        try
        {
            await IngestAsync(redis, mode, acknowledged);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_Redis_down_an_ingest_answers_Unavailable_not_Unknown_and_is_taken_once_Redis_is_back()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            await using var factory = Conversations(redis, "WaitAof");
            using var channel = GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = ConversationsStack.WithInternalKey(factory.Server.CreateHandler(), ConversationsStack.ConnectorKey) });
            var inbound = new V1.Inbound.InboundClient(channel);
            Assert.True((await inbound.IngestAsync(Sample.Ingest("a1", Sample.Unique("thread"), Sample.Unique("m"), "before"))).AcceptedNew);
            var request = Sample.Ingest("a1", Sample.Unique("thread"), Sample.Unique("m"), "while Redis is down");

            await redis.StopAsync();
            var error = await Assert.ThrowsAsync<RpcException>(() => inbound.IngestAsync(request, deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);
            await redis.StartAsync();

            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            Assert.Equal("Redis is unavailable; try again", error.Status.Detail);
            await Poll.UntilAsync(async () =>
            {
                try
                {
                    return (await inbound.IngestAsync(request)).AcceptedNew;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(30), "the ingest is taken once Redis is back");
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    private static WebApplicationFactory<Program> Conversations(RedisServer redis, string mode) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            foreach (var (key, value) in ConversationsStack.Settings(redis.ConnectionString, new Uri("http://127.0.0.1:1"), new Uri("http://127.0.0.1:1")))
            {
                web.UseSetting(key, value);
            }

            web.UseSetting("Byoc:Conversations:Durability", mode);
        });

    private static async Task IngestAsync(RedisServer redis, string mode, bool acknowledged)
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            foreach (var (key, value) in ConversationsStack.Settings(redis.ConnectionString, new Uri("http://127.0.0.1:1"), new Uri("http://127.0.0.1:1")))
            {
                web.UseSetting(key, value);
            }

            web.UseSetting("Byoc:Conversations:Durability", mode);
        });
        using var channel = GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = ConversationsStack.WithInternalKey(factory.Server.CreateHandler(), ConversationsStack.ConnectorKey) });
        var inbound = new V1.Inbound.InboundClient(channel);
        var request = Sample.Ingest("a1", Sample.Unique("thread"), Sample.Unique("m"), "durable?");

        if (acknowledged)
        {
            Assert.True((await inbound.IngestAsync(request)).AcceptedNew);
            // The platform's retry hits dedup, which confirms durability again before answering.
            Assert.False((await inbound.IngestAsync(request)).AcceptedNew);
            return;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => inbound.IngestAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("durable", error.Status.Detail, StringComparison.Ordinal);
        var retried = await Assert.ThrowsAsync<RpcException>(() => inbound.IngestAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, retried.StatusCode);
    }
}
