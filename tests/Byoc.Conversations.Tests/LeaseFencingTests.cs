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
    public async Task A_pump_whose_lease_was_taken_over_does_not_deliver_its_claimed_entry()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);
        var db = redis.GetDatabase();
        var (thread, work) = Work("fenced");
        await db.StreamAddAsync(RedisKeys.InboundStream(Partition), work.ToEntries());
        // Another replica took the partition over; this pump's own clock still believes in its lease.
        await db.StringSetAsync(RedisKeys.PartitionLease(Partition), "other-replica#8", TimeSpan.FromMinutes(5));

        await using var pump = Pump("this-replica#7");
        pump.Start(CancellationToken.None);

        await Poll.UntilAsync(() => pump.Fenced && !pump.IsRunning, TimeSpan.FromSeconds(30), "the pump sees the other lease and stops");
        Assert.Empty(await stack.Sandbox.MessagesInThreadAsync("acme-1", thread));
        Assert.Equal(1, (await db.StreamPendingAsync(RedisKeys.InboundStream(Partition), InboundStreams.Group)).PendingMessageCount);

        // The new owner (the lease's token) delivers it, once.
        await using var owner = Pump("other-replica#8");
        owner.Start(CancellationToken.None);
        await Poll.UntilAsync(async () => (await stack.Sandbox.MessagesInThreadAsync("acme-1", thread)).Count == 1, TimeSpan.FromSeconds(30), "the owner delivers it");
        await Poll.UntilAsync(async () => (await db.StreamPendingAsync(RedisKeys.InboundStream(Partition), InboundStreams.Group)).PendingMessageCount == 0,
            TimeSpan.FromSeconds(30), "the owner acknowledges it");
        Assert.False(owner.Fenced);
    }

    private PartitionPump Pump(string leaseToken) => new(
        Partition, leaseToken.Split('#')[0], leaseToken, stack.Service<IConnectionMultiplexer>(), stack.Service<InboundDelivery>(),
        new SemaphoreSlim(4), stack.Service<IOptions<ConversationsOptions>>().Value, TimeProvider.System, NullLogger.Instance)
    {
        LeaseValidUntil = DateTimeOffset.UtcNow.AddHours(1),
    };

    private static (string CxoneThread, InboundWork Work) Work(string text)
    {
        var thread = ExternalIds.Derive("test", "a1", IdKind.Thread, Sample.Unique("thread"));
        var message = ExternalIds.Derive("test", "a1", IdKind.Message, Sample.Unique("m"));
        var author = ExternalIds.Derive("test", "a1", IdKind.EndUser, "jane");
        var body = Ingestion.ToCxoneMessage(Sample.Ingest("a1", "t", "m", text).Message, message, thread, author, DateTimeOffset.UtcNow);
        return (thread, new InboundWork(InboundWork.MessageKind, "acme-1", thread, message, body.ToJsonString()));
    }
}
