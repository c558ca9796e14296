using Byoc.Conversations.Identity;
using Byoc.Conversations.V1;
using Byoc.Testing;

namespace Byoc.Conversations.Tests;

[Collection(StackCollection.Name)]
public sealed class DeadLetterTests(ConversationsStack stack)
{
    [Fact]
    public async Task A_message_CXone_refuses_is_a_dead_letter_with_CXones_answer_and_a_replay_delivers_it()
    {
        var thread = Sample.Unique("thread");
        var cxoneThread = ExternalIds.Derive("test", "a1", IdKind.Thread, thread);
        await stack.Sandbox.AddFaultAsync("status", count: 1, pathContains: "/messages", statusCode: 400);

        var answer = await stack.Inbound.IngestAsync(Sample.Ingest("a1", thread, Sample.Unique("m"), "refused once"));

        DeadLetter? dead = null;
        await Poll.UntilAsync(async () =>
        {
            dead = (await stack.Operations.ListDeadLettersAsync(new ListDeadLettersRequest { Limit = 1000 })).DeadLetters.FirstOrDefault(d => d.MessageId == answer.CxoneMessageId);
            return dead is not null;
        }, TimeSpan.FromSeconds(30), "the refused message is a dead letter");
        Assert.Equal("acme-1", dead!.ChannelId);
        Assert.Contains("400", dead.Reason, StringComparison.Ordinal);
        Assert.Contains("SimulatedFault", dead.CxoneResponse, StringComparison.Ordinal);
        Assert.Equal(1, dead.Attempts);
        Assert.Empty(await stack.Sandbox.MessagesInThreadAsync("acme-1", cxoneThread));

        var replay = await stack.Operations.ReplayDeadLettersAsync(new ReplayDeadLettersRequest { Ids = { dead.Id }, Scope = new TenantScope { AllTenants = true } });

        Assert.Equal(1, replay.Replayed);
        await Poll.UntilAsync(async () => (await stack.Sandbox.MessagesInThreadAsync("acme-1", cxoneThread)).Count == 1, TimeSpan.FromSeconds(30), "the replayed message is stored");
        Assert.DoesNotContain((await stack.Operations.ListDeadLettersAsync(new ListDeadLettersRequest { Limit = 1000 })).DeadLetters, d => d.Id == dead.Id);
        var hops = (await stack.Operations.GetTimelineAsync(new GetTimelineRequest { ChannelId = "acme-1", MessageId = answer.CxoneMessageId })).Hops.Select(h => h.Hop).ToList();
        Assert.Equal(["queued", "sent_to_cxone", "dead_lettered", "replayed", "sent_to_cxone", "accepted"], hops);
    }

    [Fact]
    public async Task A_message_that_keeps_failing_is_a_dead_letter_after_the_last_attempt_and_replay_all_brings_it_back()
    {
        var thread = Sample.Unique("thread");
        var cxoneThread = ExternalIds.Derive("test", "a1", IdKind.Thread, thread);
        await stack.Sandbox.AddFaultAsync("status", count: 5, pathContains: "/messages", statusCode: 502);

        var answer = await stack.Inbound.IngestAsync(Sample.Ingest("a1", thread, Sample.Unique("m"), "unlucky"));

        await Poll.UntilAsync(async () => (await stack.Operations.ListDeadLettersAsync(new ListDeadLettersRequest { Limit = 1000 })).DeadLetters.Any(d => d.MessageId == answer.CxoneMessageId),
            TimeSpan.FromSeconds(30), "the message is a dead letter after 5 attempts");
        var dead = (await stack.Operations.ListDeadLettersAsync(new ListDeadLettersRequest { Limit = 1000 })).DeadLetters.Single(d => d.MessageId == answer.CxoneMessageId);
        Assert.Equal(5, dead.Attempts);

        var replayed = await stack.Operations.ReplayDeadLettersAsync(new ReplayDeadLettersRequest { Scope = new TenantScope { AllTenants = true } });

        Assert.True(replayed.Replayed >= 1);
        await Poll.UntilAsync(async () => (await stack.Sandbox.MessagesInThreadAsync("acme-1", cxoneThread)).Count == 1, TimeSpan.FromSeconds(30), "replayed and stored");
        Assert.Empty((await stack.Operations.ListDeadLettersAsync(new ListDeadLettersRequest { Limit = 1000 })).DeadLetters);
    }
}

[Collection(StackCollection.Name)]
public sealed class StreamTrimmingTests(ConversationsStack stack)
{
    [Fact]
    public async Task Delivered_entries_are_trimmed_from_the_streams_and_nothing_pending_is()
    {
        var threads = Enumerable.Range(0, 8).Select(_ => Sample.Unique("trim")).ToList();
        foreach (var thread in threads)
        {
            await stack.Inbound.IngestAsync(Sample.Ingest("a2", thread, Sample.Unique("m"), "trim me"));
        }

        foreach (var thread in threads)
        {
            var cxoneThread = Identity.ExternalIds.Derive("test", "a2", IdKind.Thread, thread);
            await Poll.UntilAsync(async () => (await stack.Sandbox.MessagesInThreadAsync("acme-2", cxoneThread)).Count == 1, TimeSpan.FromSeconds(30), "delivered");
        }

        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);
        var db = redis.GetDatabase();
        // With retention zero, each stream shrinks to what is still pending or unread (the last entry may stay: MINID keeps it).
        await Poll.UntilAsync(async () =>
        {
            var lengths = await Task.WhenAll(Enumerable.Range(0, 4).Select(p => db.StreamLengthAsync($"byoc:v1:{{p:{p}}}:inbound")));
            var pending = await Task.WhenAll(Enumerable.Range(0, 4).Select(p => db.StreamPendingAsync($"byoc:v1:{{p:{p}}}:inbound", "deliver")));
            return lengths.Zip(pending).All(x => x.First <= x.Second.PendingMessageCount + 1);
        }, TimeSpan.FromSeconds(30), "the streams hold only what is not yet delivered");
    }
}
