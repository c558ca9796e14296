using System.Globalization;
using Byoc.Conversations.Identity;
using Byoc.Conversations.Inbound;
using Byoc.Conversations.Operations;
using Byoc.Conversations.V1;
using Byoc.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Byoc.Conversations.Tests;

/// <summary>Conversations on a Redis of its own with short retentions and a small dead-letter cap (no CXone).</summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private WebApplicationFactory<Program> _factory = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            foreach (var (key, value) in ConversationsStack.Settings(_redis.ConnectionString, new Uri("http://127.0.0.1:1"), new Uri("http://127.0.0.1:1")))
            {
                web.UseSetting(key, value);
            }

            web.UseSetting("Byoc:Conversations:IdRetention", "00:00:02");
            web.UseSetting("Byoc:Conversations:DeadLetterCap", "3");
        });
        _ = _factory.Server;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task ID_map_entries_and_thread_channels_expire_after_the_configured_retention()
    {
        using var channel = GrpcChannel.ForAddress(_factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = ConversationsStack.WithInternalKey(_factory.Server.CreateHandler(), ConversationsStack.ConnectorKey) });
        var thread = Sample.Unique("thread");
        var answer = await new V1.Inbound.InboundClient(channel).IngestAsync(Sample.Ingest("a1", thread, Sample.Unique("m"), "kept for a while"));
        var ids = _factory.Services.GetRequiredService<IdMap>();
        var cxoneThread = ExternalIds.Derive("test", "a1", IdKind.Thread, thread);

        Assert.Equal(cxoneThread, await ids.FindByPlatformIdAsync("acme-1", IdKind.Thread, thread));
        Assert.Equal("acme-1", await ids.FindThreadChannelAsync(cxoneThread));
        Assert.NotNull(await ids.FindByCxoneIdAsync("acme-1", answer.CxoneMessageId));

        await Poll.UntilAsync(async () =>
            await ids.FindByPlatformIdAsync("acme-1", IdKind.Thread, thread) is null
            && await ids.FindThreadChannelAsync(cxoneThread) is null
            && await ids.FindByCxoneIdAsync("acme-1", answer.CxoneMessageId) is null
            && await ids.FindByPlatformIdAsync("acme-1", IdKind.EndUser, "jane") is null,
            TimeSpan.FromSeconds(20), "every ID-map entry of the message expired");
    }

    [Fact]
    public async Task Dead_letters_beyond_the_cap_trim_the_oldest()
    {
        var deadLetters = _factory.Services.GetRequiredService<DeadLetters>();
        for (var i = 0; i < 5; i++)
        {
            await deadLetters.AddAsync(new InboundWork(InboundWork.MessageKind, "acme-1", "t", $"m{i}", "{}"), null, Byoc.Conversations.V1.ErrorSource.Cxone, "test", null, 1);
        }

        var kept = await deadLetters.ListAsync(100);

        Assert.Equal(["m2", "m3", "m4"], kept.Select(d => d.MessageId));
    }
}

/// <summary>What 10,000 threads cost in Redis: the figure docs/architecture.md (Retention) quotes.</summary>
public sealed class RedisMemoryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task Redis_memory_per_10000_threads_is_measured_and_bounded()
    {
        const int threads = 10_000;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString + ",allowAdmin=true");
        var options = Options.Create(new ConversationsOptions());
        var ids = new IdMap(redis, options);
        var queue = new InboundStreams(redis, options);
        var timeline = new MessageTimeline(redis, options, TimeProvider.System);
        var channel = new Registry.Channel("acme-1", "acme", "test", "a1", "acme-1", "custom");
        var before = await UsedMemoryAsync(redis);

        for (var start = 0; start < threads; start += 500)
        {
            var batch = redis.GetDatabase().CreateBatch();
            var writes = new List<Task>();
            var work = new List<InboundWork>();
            for (var t = start; t < start + 500; t++)
            {
                var n = t.ToString(CultureInfo.InvariantCulture);
                var thread = ids.Remember(batch, writes, channel, IdKind.Thread, $"thread-{n}-{Guid.NewGuid():N}");
                var message = ids.Remember(batch, writes, channel, IdKind.Message, $"message-{n}-{Guid.NewGuid():N}");
                var author = ids.Remember(batch, writes, channel, IdKind.EndUser, $"user-{n}");
                var body = Ingestion.ToCxoneMessage(Sample.Ingest("a1", "t", "m", "Hi, where is my order?").Message, message, thread, author, DateTimeOffset.UtcNow);
                work.Add(new InboundWork(InboundWork.MessageKind, channel.Id, thread, message, body.ToJsonString()));
            }

            batch.Execute();
            await Task.WhenAll(writes);
            await Task.WhenAll(work.Select(w => queue.EnqueueOnceAsync(w, w.MessageId)));
            foreach (var w in work)
            {
                timeline.Record(w.ChannelId, w.MessageId, "queued");
                timeline.Record(w.ChannelId, w.MessageId, "sent_to_cxone");
                timeline.Record(w.ChannelId, w.MessageId, "accepted");
            }
        }

        await redis.GetDatabase().PingAsync();
        var queued = await UsedMemoryAsync(redis) - before;
        // Delivered and trimmed: what stays is the ID map, the dedup keys and the timelines.
        for (var p = 0; p < queue.Partitions; p++)
        {
            await redis.GetDatabase().StreamTrimAsync(RedisKeys.InboundStream(p), 0);
        }

        var delivered = await UsedMemoryAsync(redis) - before;
        output.WriteLine($"Redis used_memory for {threads} threads (one message each, 3 hops): queued {queued / 1024.0 / 1024.0:0.0} MiB, delivered {delivered / 1024.0 / 1024.0:0.0} MiB");
        Console.WriteLine($"Redis used_memory per {threads} threads: queued {queued / 1024.0 / 1024.0:0.0} MiB, delivered {delivered / 1024.0 / 1024.0:0.0} MiB");

        Assert.True(delivered < 64L * 1024 * 1024, $"10,000 threads cost {delivered} bytes");
        Assert.True(delivered > 0);
    }

    private static async Task<long> UsedMemoryAsync(ConnectionMultiplexer redis)
    {
        var info = await redis.GetServer(redis.GetEndPoints()[0]).InfoAsync("memory");
        return long.Parse(info.SelectMany(g => g).First(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);
    }
}
