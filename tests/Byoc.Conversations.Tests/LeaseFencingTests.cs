using Byoc.Conversations.Identity;
using Byoc.Conversations.Inbound;
using Byoc.Conversations.V1;
using Byoc.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Byoc.Conversations.Tests;

/// <summary>
/// A pump driven by hand on a partition the stack's own worker never leases (99 of 4), so the test decides who
/// holds the lease.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class LeaseFencingTests(ConversationsStack stack)
{
    private const int Partition = 99;

    [Fact]
    public async Task A_pump_whose_lease_was_taken_over_after_it_read_an_entry_does_not_deliver_it_and_the_owner_does_once()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);
        var db = redis.GetDatabase();
        var (thread, work) = Work("fenced");
        var entryId = await db.StreamAddAsync(RedisKeys.InboundStream(Partition), work.ToEntries());
        await db.StringSetAsync(RedisKeys.PartitionLease(Partition), "this-replica#7", TimeSpan.FromMinutes(5));
        // The first attempt fails; the retry comes after a backoff long enough to hand the lease over meanwhile.
        await stack.Sandbox.AddFaultAsync("status", count: 1, pathContains: $"/channels/acme-1/messages", statusCode: 503);
        var slow = Options(o => o.RetryBaseDelay = o.RetryMaxDelay = TimeSpan.FromSeconds(5));

        await using var pump = Pump("this-replica#7", slow);
        pump.Start(CancellationToken.None);
        await Poll.UntilAsync(async () => (await db.HashGetAsync(RedisKeys.FirstAttempts(Partition), entryId)).HasValue, TimeSpan.FromSeconds(30), "the first attempt failed");
        // Another replica took the partition over; this pump's own clock still believes in its lease.
        await db.StringSetAsync(RedisKeys.PartitionLease(Partition), "other-replica#8", TimeSpan.FromMinutes(5));

        await Poll.UntilAsync(() => pump.Fenced && !pump.IsRunning, TimeSpan.FromSeconds(30), "the pump sees the other lease at its retry and stops");
        Assert.Empty(await stack.Sandbox.MessagesInThreadAsync("acme-1", thread));
        Assert.Equal(1, (await db.StreamPendingAsync(RedisKeys.InboundStream(Partition), InboundStreams.Group)).PendingMessageCount);

        await using var owner = Pump("other-replica#8");
        owner.Start(CancellationToken.None);
        await DeliveredInOrderAsync(db, RedisKeys.InboundStream(Partition), thread, ["fenced"]);
        Assert.False(owner.Fenced);
    }

    [Fact]
    public async Task A_pump_whose_lease_was_taken_over_neither_claims_the_owners_entries_nor_reads_new_ones()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);
        var db = redis.GetDatabase();
        var stream = RedisKeys.InboundStream(Partition);
        var (thread, first) = Work("first");
        var second = Work(thread, "second");
        await db.StringSetAsync(RedisKeys.PartitionLease(Partition), "owner-replica#3", TimeSpan.FromMinutes(5));
        // The owner has read the first entry (it is delivering it); the second is not read yet.
        await AddAndReadAsync(db, stream, first, "owner-replica");
        await db.StreamAddAsync(stream, second.ToEntries());

        // A pump of the replica that held the lease before (stalled, or back after a Redis restart) starts over.
        await using var stale = Pump("stale-replica#2");
        stale.Start(CancellationToken.None);
        await Poll.UntilAsync(() => stale.Fenced && !stale.IsRunning, TimeSpan.FromSeconds(30), "the stale pump sees the other lease and stops");

        var pending = await db.StreamPendingAsync(stream, InboundStreams.Group);
        Assert.Equal(1, pending.PendingMessageCount);
        Assert.Equal("owner-replica", Assert.Single(pending.Consumers).Name);
        Assert.Empty(await stack.Sandbox.MessagesInThreadAsync("acme-1", thread));

        // The owner's pump (after its own restart) delivers both, once each and in order.
        await using var owner = Pump("owner-replica#3");
        owner.Start(CancellationToken.None);
        await DeliveredInOrderAsync(db, stream, thread, ["first", "second"]);
        Assert.False(owner.Fenced);
    }

    [Fact]
    public async Task The_owner_trims_acknowledged_entries_and_keeps_the_one_it_holds_for_a_retry_and_the_one_behind_it()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);
        var db = redis.GetDatabase();
        var stream = RedisKeys.InboundStream(Partition);
        var (thread, held) = Work("held");
        var behind = Work(thread, "behind");
        await db.StringSetAsync(RedisKeys.PartitionLease(Partition), "trimming-owner#4", TimeSpan.FromMinutes(5));
        // An entry delivered and acknowledged earlier, one read and not acknowledged, one not read yet.
        var done = await AddAndReadAsync(db, stream, Work("earlier").Work, "trimming-owner");
        await db.StreamAcknowledgeAsync(stream, InboundStreams.Group, done);
        var heldId = await AddAndReadAsync(db, stream, held, "trimming-owner");
        var behindId = await db.StreamAddAsync(stream, behind.ToEntries());
        // The held entry's first attempt fails; its retry comes seconds later, its thread's next entry waits behind it.
        await stack.Sandbox.AddFaultAsync("status", count: 1, pathContains: "/channels/acme-1/messages", statusCode: 503);
        var trimming = Options(o =>
        {
            o.RetryBaseDelay = o.RetryMaxDelay = TimeSpan.FromSeconds(6);
            o.StreamRetention = TimeSpan.Zero;
            o.StreamTrimInterval = TimeSpan.Zero;
        });

        await using var owner = Pump("trimming-owner#4", trimming);
        owner.Start(CancellationToken.None);
        await Poll.UntilAsync(async () => (await db.HashGetAsync(RedisKeys.FirstAttempts(Partition), heldId)).HasValue, TimeSpan.FromSeconds(30), "the held entry's first attempt failed");
        await Poll.UntilAsync(async () => !(await Ids(db, stream)).Contains(done), TimeSpan.FromSeconds(10), "the acknowledged entry is trimmed");
        var kept = await Ids(db, stream);
        Assert.Contains(heldId, kept);
        Assert.Contains(behindId, kept);
        Assert.Empty(await stack.Sandbox.MessagesInThreadAsync("acme-1", thread));

        await DeliveredInOrderAsync(db, stream, thread, ["held", "behind"]);
    }

    [Fact]
    public async Task The_retry_budget_counts_from_the_first_attempt_of_the_earlier_owner_after_a_takeover()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);
        var db = redis.GetDatabase();
        var (_, work) = Work("budget");
        var entryId = await db.StreamAddAsync(RedisKeys.InboundStream(Partition), work.ToEntries());
        await db.StringSetAsync(RedisKeys.PartitionLease(Partition), "first-owner#1", TimeSpan.FromMinutes(5));
        // Exactly one failure for each owner; a long backoff, so that each owner makes one attempt.
        await stack.Sandbox.AddFaultAsync("status", count: 2, pathContains: "/channels/acme-1/messages", statusCode: 503);
        var slow = Options(o => o.RetryBaseDelay = o.RetryMaxDelay = TimeSpan.FromSeconds(30));

        await using var first = Pump("first-owner#1", slow);
        first.Start(CancellationToken.None);
        await Poll.UntilAsync(async () => (await db.HashGetAsync(RedisKeys.FirstAttempts(Partition), entryId)).HasValue, TimeSpan.FromSeconds(30), "the first owner's attempt failed and is recorded");
        var firstAttempt = DateTimeOffset.FromUnixTimeMilliseconds((long)await db.HashGetAsync(RedisKeys.FirstAttempts(Partition), entryId));
        await Poll.UntilAsync(() => DateTimeOffset.UtcNow - firstAttempt > TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), "two seconds pass");

        // Taken over by an owner whose budget is 2 s: spent already, counted from the first owner's attempt.
        await db.StringSetAsync(RedisKeys.PartitionLease(Partition), "second-owner#2", TimeSpan.FromMinutes(5));
        var tight = Options(o =>
        {
            o.RetryBaseDelay = o.RetryMaxDelay = TimeSpan.FromSeconds(30);
            o.RetryFor = TimeSpan.FromSeconds(2);
        });
        await using var second = Pump("second-owner#2", tight);
        second.Start(CancellationToken.None);

        var deadLetters = stack.Service<Operations.DeadLetters>();
        await Poll.UntilAsync(async () => (await deadLetters.ListAsync(10_000)).Any(d => d.MessageId == work.MessageId), TimeSpan.FromSeconds(20), "a dead letter after the new owner's first failure");
        var dead = (await deadLetters.ListAsync(10_000)).Single(d => d.MessageId == work.MessageId);
        Assert.Equal(1, dead.Attempts);
        // The first-attempt time goes with the entry's XACK, which follows the dead letter (fire and forget).
        await Poll.UntilAsync(async () => !(await db.HashGetAsync(RedisKeys.FirstAttempts(Partition), entryId)).HasValue, TimeSpan.FromSeconds(10), "the first-attempt time is removed with the entry");
        await db.StreamDeleteAsync(RedisKeys.DeadLetters, [dead.Id]);
    }

    private ConversationsOptions Options(Action<ConversationsOptions> change)
    {
        var configured = stack.Service<IOptions<ConversationsOptions>>().Value;
        var options = new ConversationsOptions
        {
            ReadBatch = configured.ReadBatch,
            MaxAttempts = 1000,
            RetryFor = TimeSpan.FromHours(1),
            RetryBaseDelay = configured.RetryBaseDelay,
            RetryMaxDelay = configured.RetryMaxDelay,
            StreamRetention = configured.StreamRetention,
            StreamTrimInterval = configured.StreamTrimInterval,
        };
        change(options);
        return options;
    }

    private PartitionPump Pump(string leaseToken, ConversationsOptions? options = null)
    {
        options ??= stack.Service<IOptions<ConversationsOptions>>().Value;
        return new(
            Partition, leaseToken.Split('#')[0], leaseToken, stack.Service<IConnectionMultiplexer>(), stack.Service<InboundDelivery>(),
            new IntegrationGates(options, TimeProvider.System), new SemaphoreSlim(4), options, TimeProvider.System, NullLogger.Instance)
        {
            LeaseValidUntil = DateTimeOffset.UtcNow.AddHours(1),
        };
    }

    /// <summary>Appends the work and reads it as <paramref name="consumer"/>, as that replica's pump would have.</summary>
    private static async Task<RedisValue> AddAndReadAsync(IDatabase db, string stream, InboundWork work, string consumer)
    {
        await EnsureGroupAsync(db, stream);
        var id = await db.StreamAddAsync(stream, work.ToEntries());
        Assert.Equal(id, Assert.Single(await db.StreamReadGroupAsync(stream, InboundStreams.Group, consumer, StreamPosition.NewMessages, 1)).Id);
        return id;
    }

    /// <summary>Until nothing is pending and the thread holds <paramref name="texts"/>, in that order and each once.</summary>
    private async Task DeliveredInOrderAsync(IDatabase db, string stream, string thread, string[] texts)
    {
        await Poll.UntilAsync(async () => (await db.StreamPendingAsync(stream, InboundStreams.Group)).PendingMessageCount == 0
            && (await stack.Sandbox.MessagesInThreadAsync("acme-1", thread)).Count >= texts.Length, TimeSpan.FromSeconds(30), "every entry is delivered");
        var stored = (await stack.Sandbox.MessagesInThreadAsync("acme-1", thread)).Select(m => m.GetProperty("messageContent").GetProperty("payload").GetProperty("text").GetString());
        Assert.Equal(texts, stored);
    }

    private static async Task<List<RedisValue>> Ids(IDatabase db, string stream) => [.. (await db.StreamRangeAsync(stream)).Select(e => e.Id)];

    private static async Task EnsureGroupAsync(IDatabase db, string stream)
    {
        try
        {
            await db.StreamCreateConsumerGroupAsync(stream, InboundStreams.Group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // An earlier test made it.
        }
    }

    private static (string CxoneThread, InboundWork Work) Work(string text)
    {
        var thread = ExternalIds.Derive("test", "a1", IdKind.Thread, Sample.Unique("thread"));
        return (thread, Work(thread, text));
    }

    private static InboundWork Work(string thread, string text)
    {
        var message = ExternalIds.Derive("test", "a1", IdKind.Message, Sample.Unique("m"));
        var author = ExternalIds.Derive("test", "a1", IdKind.EndUser, "jane");
        var body = Ingestion.ToCxoneMessage(Sample.Ingest("a1", "t", "m", text).Message, message, thread, author, DateTimeOffset.UtcNow);
        return new InboundWork(InboundWork.MessageKind, "acme-1", thread, message, body.ToJsonString());
    }
}
