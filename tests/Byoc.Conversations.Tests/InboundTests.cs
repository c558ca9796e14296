using Byoc.Conversations.Identity;
using Byoc.Conversations.V1;
using Grpc.Core;
using Byoc.Testing;

namespace Byoc.Conversations.Tests;

[Collection(StackCollection.Name)]
public sealed class InboundTests(ConversationsStack stack)
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_ingested_message_reaches_CXone_with_the_contract_shape_and_namespaced_ids()
    {
        var thread = Sample.Unique("thread");
        var id = Sample.Unique("m");

        var answer = await stack.Inbound.IngestAsync(Sample.Ingest("a1", thread, id, "Hi, where is my order?"));

        Assert.True(answer.AcceptedNew);
        var cxoneThread = ExternalIds.Derive("test", "a1", IdKind.Thread, thread);
        await Poll.UntilAsync(async () => (await stack.Sandbox.MessagesInThreadAsync("acme-1", cxoneThread)).Count == 1, Arrival, "the message is stored at CXone");
        var stored = (await stack.Sandbox.MessagesInThreadAsync("acme-1", cxoneThread)).Single();
        Assert.Equal(answer.CxoneMessageId, stored.GetProperty("idOnExternalPlatform").GetString());
        Assert.Equal(ExternalIds.Derive("test", "a1", IdKind.Message, id), answer.CxoneMessageId);
        Assert.Equal("inbound", stored.GetProperty("direction").GetString());
        Assert.Equal("2025-07-25T20:05:57.123+00:00", stored.GetProperty("createdAtWithMilliseconds").GetString());
        Assert.Equal("Order 1234", stored.GetProperty("thread").GetProperty("threadName").GetString());
        Assert.Equal("TEXT", stored.GetProperty("messageContent").GetProperty("type").GetString());
        Assert.Equal("Hi, where is my order?", stored.GetProperty("messageContent").GetProperty("payload").GetProperty("text").GetString());
        var author = stored.GetProperty("authorEndUserIdentity");
        Assert.Equal(ExternalIds.Derive("test", "a1", IdKind.EndUser, "jane"), author.GetProperty("idOnExternalPlatform").GetString());
        Assert.Equal("Jane", author.GetProperty("firstName").GetString());
        Assert.Equal("@jane", author.GetProperty("nickname").GetString());
    }

    [Fact]
    public async Task A_webhook_delivered_twice_is_queued_and_stored_once()
    {
        var thread = Sample.Unique("thread");
        var request = Sample.Ingest("a1", thread, Sample.Unique("m"), "once");

        var first = await stack.Inbound.IngestAsync(request);
        var second = await stack.Inbound.IngestAsync(request);
        var followUp = await stack.Inbound.IngestAsync(Sample.Ingest("a1", thread, Sample.Unique("m"), "after"));

        Assert.True(first.AcceptedNew);
        Assert.False(second.AcceptedNew);
        Assert.Equal(first.CxoneMessageId, second.CxoneMessageId);
        var cxoneThread = ExternalIds.Derive("test", "a1", IdKind.Thread, thread);
        await Poll.UntilAsync(async () => (await stack.Sandbox.MessagesInThreadAsync("acme-1", cxoneThread)).Count == 2, Arrival, "both distinct messages are stored");
        var texts = (await stack.Sandbox.MessagesInThreadAsync("acme-1", cxoneThread)).Select(m => m.GetProperty("messageContent").GetProperty("payload").GetProperty("text").GetString());
        Assert.Equal(["once", "after"], texts);
    }

    [Fact]
    public async Task Messages_of_many_threads_ingested_concurrently_arrive_in_order_within_each_thread()
    {
        var threads = Enumerable.Range(0, 20).Select(_ => Sample.Unique("thread")).ToList();
        const int perThread = 15;

        // Each thread's messages are ingested in order; the threads race each other.
        await Task.WhenAll(threads.Select(async thread =>
        {
            for (var i = 0; i < perThread; i++)
            {
                await stack.Inbound.IngestAsync(Sample.Ingest("a2", thread, $"{thread}-{i}", $"{i}"));
            }
        }));

        foreach (var thread in threads)
        {
            var cxoneThread = ExternalIds.Derive("test", "a2", IdKind.Thread, thread);
            await Poll.UntilAsync(async () => (await stack.Sandbox.MessagesInThreadAsync("acme-2", cxoneThread)).Count == perThread, Arrival, $"all of {thread} arrived");
            var order = (await stack.Sandbox.MessagesInThreadAsync("acme-2", cxoneThread)).Select(m => int.Parse(m.GetProperty("messageContent").GetProperty("payload").GetProperty("text").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(Enumerable.Range(0, perThread), order);
        }
    }

    [Fact]
    public async Task A_failing_message_holds_back_the_rest_of_its_thread_until_CXone_accepts_it()
    {
        var thread = Sample.Unique("thread");
        var cxoneThread = ExternalIds.Derive("test", "a1", IdKind.Thread, thread);
        await stack.Sandbox.AddFaultAsync("status", count: 3, pathContains: "/messages", statusCode: 503);

        for (var i = 0; i < 5; i++)
        {
            await stack.Inbound.IngestAsync(Sample.Ingest("a1", thread, $"{thread}-{i}", $"{i}"));
        }

        await Poll.UntilAsync(async () => (await stack.Sandbox.MessagesInThreadAsync("acme-1", cxoneThread)).Count == 5, Arrival, "every message arrived after the 503s");
        var order = (await stack.Sandbox.MessagesInThreadAsync("acme-1", cxoneThread)).Select(m => m.GetProperty("messageContent").GetProperty("payload").GetProperty("text").GetString());
        Assert.Equal(["0", "1", "2", "3", "4"], order);
    }

    [Theory]
    [InlineData("status", 429, 1, 0)]
    [InlineData("status", 500, null, 0)]
    [InlineData("delay", 200, null, 2500)]
    [InlineData("drop", 200, null, 0)]
    public async Task Delivery_recovers_from_CXone_throttling_errors_timeouts_and_dropped_connections(string kind, int status, int? retryAfter, int delayMs)
    {
        var thread = Sample.Unique("thread");
        await stack.Sandbox.AddFaultAsync(kind, count: 2, pathContains: "/messages", statusCode: status, retryAfterSeconds: retryAfter, delayMilliseconds: delayMs);

        var answer = await stack.Inbound.IngestAsync(Sample.Ingest("a1", thread, Sample.Unique("m"), "eventually"));

        var cxoneThread = ExternalIds.Derive("test", "a1", IdKind.Thread, thread);
        await Poll.UntilAsync(async () => (await stack.Sandbox.MessagesInThreadAsync("acme-1", cxoneThread)).Count == 1, Arrival, $"the message arrived despite {kind} {status}");
        var hops = (await stack.Operations.GetTimelineAsync(new GetTimelineRequest { ChannelId = "acme-1", MessageId = answer.CxoneMessageId })).Hops.Select(h => h.Hop).ToList();
        Assert.Contains("retry", hops);
        Assert.Equal("accepted", hops[^1]);
    }

    [Fact]
    public async Task Many_deliveries_needing_a_token_at_once_cause_one_auth_call_and_an_expired_token_one_more()
    {
        // Whatever token this replica holds (in Redis or in memory), CXone no longer takes it.
        await stack.Sandbox.ExpireTokensAsync();
        var before = await stack.Sandbox.TokensIssuedAsync("sandbox-access-key");
        var threads = Enumerable.Range(0, 30).Select(_ => Sample.Unique("thread")).ToList();

        await Task.WhenAll(threads.Select(t => stack.Inbound.IngestAsync(Sample.Ingest("a2", t, Sample.Unique("m"), "token")).ResponseAsync));
        foreach (var thread in threads)
        {
            var cxoneThread = ExternalIds.Derive("test", "a2", IdKind.Thread, thread);
            await Poll.UntilAsync(async () => (await stack.Sandbox.MessagesInThreadAsync("acme-2", cxoneThread)).Count == 1, Arrival, "all arrived");
        }

        Assert.Equal(before + 1, await stack.Sandbox.TokensIssuedAsync("sandbox-access-key"));

        // CXone ends the token early: the next call gets 401, fetches one new token, and succeeds.
        await stack.Sandbox.ExpireTokensAsync();
        var late = Sample.Unique("thread");
        await stack.Inbound.IngestAsync(Sample.Ingest("a2", late, Sample.Unique("m"), "after expiry"));
        await Poll.UntilAsync(async () => (await stack.Sandbox.MessagesInThreadAsync("acme-2", ExternalIds.Derive("test", "a2", IdKind.Thread, late))).Count == 1, Arrival, "arrived after a refresh");
        Assert.Equal(before + 2, await stack.Sandbox.TokensIssuedAsync("sandbox-access-key"));
    }

    [Fact]
    public async Task A_message_for_an_unregistered_account_is_refused_as_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => stack.Inbound.IngestAsync(Sample.Ingest("nobody", "t", Sample.Unique("m"), "x")).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("nobody", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("connector")]
    [InlineData("account_id")]
    [InlineData("message.external_message_id")]
    [InlineData("message.external_thread_id")]
    [InlineData("message.author.external_id")]
    public async Task A_message_missing_a_required_field_is_refused_naming_the_field(string field)
    {
        var request = Sample.Ingest("a1", "t", Sample.Unique("m"), "x");
        switch (field)
        {
            case "connector": request.Connector = ""; break;
            case "account_id": request.AccountId = ""; break;
            case "message.external_message_id": request.Message.ExternalMessageId = ""; break;
            case "message.external_thread_id": request.Message.ExternalThreadId = ""; break;
            case "message.author.external_id": request.Message.Author.ExternalId = ""; break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => stack.Inbound.IngestAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal($"{field} is required", error.Status.Detail);
    }
}
