using System.Diagnostics;
using Byoc.Conversations.Identity;
using Byoc.Conversations.Inbound;
using Byoc.Conversations.Operations;
using Byoc.Conversations.Registry;
using Byoc.Conversations.V1;
using Byoc.Testing;
using Grpc.Core;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Byoc.Conversations.Tests;

/// <summary>The Operations service as the admin UI uses it: dead letters paged per tenant, replay, finding a message, connector health.</summary>
public sealed class OperationsTests(OperationsStack stack, ITestOutputHelper output) : IClassFixture<OperationsStack>
{
    private DeadLetters DeadLetters => stack.Service<DeadLetters>();

    [Fact]
    public async Task A_tenants_pages_hold_only_its_dead_letters_newest_first_and_the_cursor_walks_them_all_once()
    {
        await ClearDeadLettersAsync();
        var acme = await AddAsync("acme", 23);
        await AddAsync("globex", 11);

        var seen = new List<DeadLetter>();
        var cursor = string.Empty;
        var pages = 0;
        do
        {
            var page = await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.Of(OperationsStack.TenantA), PageSize = 5, Cursor = cursor });
            Assert.Equal(23, page.Total);
            Assert.True(page.DeadLetters.Count <= 5);
            seen.AddRange(page.DeadLetters);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor.Length > 0);

        Assert.Equal(5, pages);
        Assert.All(seen, d => Assert.Equal(OperationsStack.TenantA, d.TenantId));
        Assert.Equal(acme.AsEnumerable().Reverse(), seen.Select(d => d.MessageId));
    }

    [Fact]
    public async Task Oldest_first_over_two_tenants_merges_their_dead_letters_in_the_order_they_failed()
    {
        await ClearDeadLettersAsync();
        var first = await AddAsync("acme", 3);
        var second = await AddAsync("globex", 3);
        var third = await AddAsync("acme", 3);

        var page1 = await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest
        {
            Scope = OperationsStack.Of(OperationsStack.TenantA, OperationsStack.TenantB), PageSize = 4, Order = DeadLetterOrder.OldestFirst,
        });
        var page2 = await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest
        {
            Scope = OperationsStack.Of(OperationsStack.TenantA, OperationsStack.TenantB), PageSize = 10, Order = DeadLetterOrder.OldestFirst, Cursor = page1.NextCursor,
        });

        Assert.Equal(9, page1.Total);
        Assert.Equal([.. first, .. second, .. third], page1.DeadLetters.Concat(page2.DeadLetters).Select(d => d.MessageId));
        Assert.Empty(page2.NextCursor);
    }

    [Fact]
    public async Task A_channel_filter_shows_that_channel_only_and_another_tenants_channel_looks_empty()
    {
        await ClearDeadLettersAsync();
        await AddAsync("acme", 4, channel: "acme-1");
        var acme2 = await AddAsync("acme", 2, channel: "acme-2");
        await AddAsync("globex", 3, channel: "globex-1");

        var mine = await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.Of(OperationsStack.TenantA), ChannelId = "acme-2" });
        var theirs = await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.Of(OperationsStack.TenantA), ChannelId = "globex-1" });
        var asAll = await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.All, ChannelId = "globex-1" });

        Assert.Equal(acme2.AsEnumerable().Reverse(), mine.DeadLetters.Select(d => d.MessageId));
        Assert.Equal(2, mine.Total);
        Assert.Empty(theirs.DeadLetters);
        Assert.Equal(0, theirs.Total);
        Assert.Equal(3, asAll.Total);
    }

    [Fact]
    public async Task Every_call_needs_a_scope_and_a_bad_page_size_or_cursor_names_its_field()
    {
        var noScope = await Assert.ThrowsAsync<RpcException>(() => stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest()).ResponseAsync);
        var badSize = await Assert.ThrowsAsync<RpcException>(() => stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.All, PageSize = 501 }).ResponseAsync);
        var badCursor = await Assert.ThrowsAsync<RpcException>(() => stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.All, Cursor = "x" }).ResponseAsync);
        var replayNoScope = await Assert.ThrowsAsync<RpcException>(() => stack.Operations.ReplayDeadLettersAsync(new ReplayDeadLettersRequest { Ids = { "1-0" } }).ResponseAsync);

        Assert.All([noScope, badSize, badCursor, replayNoScope], e => Assert.Equal(StatusCode.InvalidArgument, e.StatusCode));
        Assert.Equal("scope", noScope.Trailers.GetValue("field"));
        Assert.Equal("page_size", badSize.Trailers.GetValue("field"));
        Assert.Equal("cursor", badCursor.Trailers.GetValue("field"));
    }

    [Fact]
    public async Task Replaying_another_tenants_dead_letter_replays_nothing_and_leaves_it_there()
    {
        await ClearDeadLettersAsync();
        await AddAsync("globex", 1);
        var theirs = (await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.Of(OperationsStack.TenantB) })).DeadLetters.Single();

        var replay = await stack.Operations.ReplayDeadLettersAsync(new ReplayDeadLettersRequest { Ids = { theirs.Id }, Scope = OperationsStack.Of(OperationsStack.TenantA) });
        var replayAllOfMine = await stack.Operations.ReplayDeadLettersAsync(new ReplayDeadLettersRequest { Scope = OperationsStack.Of(OperationsStack.TenantA) });

        Assert.Equal(0, replay.Replayed);
        Assert.Equal([theirs.Id], replay.NotReplayedIds);
        Assert.Equal(0, replayAllOfMine.Replayed);
        Assert.Equal(1, (await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.Of(OperationsStack.TenantB) })).Total);
    }

    [Fact]
    public async Task Replaying_an_id_that_is_no_dead_letter_replays_nothing_and_can_be_asked_again()
    {
        // Found by the admin hostile-input suite: for a tenant's admin this threw (Unknown, the Edge's 503).
        await ClearDeadLettersAsync();
        var unknown = $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000}-{Random.Shared.Next(1, 1000)}";

        foreach (var scope in new[] { OperationsStack.Of(OperationsStack.TenantA), new TenantScope { AllTenants = true } })
        {
            var replay = await stack.Operations.ReplayDeadLettersAsync(new ReplayDeadLettersRequest { Ids = { unknown }, Scope = scope });

            Assert.Equal(0, replay.Replayed);
            Assert.Equal([unknown], replay.NotReplayedIds);
        }

        // Nothing claimed is left behind: the id is not "being replayed right now".
        Assert.False(await stack.Service<IConnectionMultiplexer>().GetDatabase().KeyExistsAsync(RedisKeys.DeadLetterReplayClaim(unknown)));
    }

    [Fact]
    public async Task Two_replays_of_the_same_dead_letter_at_once_replay_it_once()
    {
        await ClearDeadLettersAsync();
        await AddAsync("acme", 1, channel: Sample.Unique("gone"));
        var letter = (await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.Of(OperationsStack.TenantA) })).DeadLetters.Single();

        var clicks = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            stack.Operations.ReplayDeadLettersAsync(new ReplayDeadLettersRequest { Ids = { letter.Id }, Scope = OperationsStack.Of(OperationsStack.TenantA) }).ResponseAsync));

        Assert.Equal(1, clicks.Sum(c => c.Replayed));
        Assert.Equal(3, clicks.Sum(c => c.NotReplayedIds.Count));
        var hops = await stack.Service<MessageTimeline>().ReadAsync(letter.ChannelId, letter.MessageId);
        Assert.Single(hops, h => h.Hop == "replayed");
    }

    [Fact]
    public async Task A_message_CXone_refused_shows_CXones_error_and_a_replay_in_scope_delivers_it()
    {
        var thread = Sample.Unique("thread");
        var cxoneThread = ExternalIds.Derive("test", "a1", IdKind.Thread, thread);
        await stack.Sandbox.AddFaultAsync("status", count: 1, pathContains: "/messages", statusCode: 400);
        var answer = await stack.Inbound.IngestAsync(Sample.Ingest("a1", thread, Sample.Unique("m"), "refused once"));

        DeadLetter? dead = null;
        await Poll.UntilAsync(async () =>
        {
            dead = (await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.Of(OperationsStack.TenantA), ChannelId = "acme-1" }))
                .DeadLetters.FirstOrDefault(d => d.MessageId == answer.CxoneMessageId);
            return dead is not null;
        }, TimeSpan.FromSeconds(30), "the refused message is a dead letter");

        Assert.Equal(ErrorSource.Cxone, dead!.ErrorSource);
        Assert.Equal("acme", dead.IntegrationId);
        Assert.Equal(cxoneThread, dead.ThreadId);
        Assert.Contains("SimulatedFault", dead.CxoneResponse, StringComparison.Ordinal);

        var replay = await stack.Operations.ReplayDeadLettersAsync(new ReplayDeadLettersRequest { Ids = { dead.Id }, Scope = OperationsStack.Of(OperationsStack.TenantA) });

        Assert.Equal([dead.Id], replay.ReplayedIds);
        await Poll.UntilAsync(async () => (await stack.Sandbox.MessagesInThreadAsync("acme-1", cxoneThread)).Count == 1, TimeSpan.FromSeconds(30), "the replayed message is stored");
    }

    [Fact]
    public async Task A_message_is_found_by_its_CXone_id_or_its_platform_id_with_its_channel_tenant_and_timeline_but_not_by_another_tenant()
    {
        var platformId = Sample.Unique("m");
        var answer = await stack.Inbound.IngestAsync(Sample.Ingest("g1", Sample.Unique("thread"), platformId, "find me"));
        await Poll.UntilAsync(async () => (await stack.Service<MessageTimeline>().ReadAsync("globex-1", answer.CxoneMessageId)).Any(h => h.Hop == "accepted"),
            TimeSpan.FromSeconds(30), "delivered to CXone");

        var byCxone = (await stack.Operations.FindMessageAsync(new FindMessageRequest { Scope = OperationsStack.Of(OperationsStack.TenantB), Id = answer.CxoneMessageId })).Matches.Single();
        var byPlatform = (await stack.Operations.FindMessageAsync(new FindMessageRequest { Scope = OperationsStack.All, Id = platformId })).Matches.Single();
        var otherTenant = await stack.Operations.FindMessageAsync(new FindMessageRequest { Scope = OperationsStack.Of(OperationsStack.TenantA), Id = answer.CxoneMessageId });

        Assert.Equal(("globex-1", OperationsStack.TenantB, "cxone_id", platformId), (byCxone.ChannelId, byCxone.TenantId, byCxone.MatchedBy, byCxone.PlatformId));
        Assert.Equal(["queued", "sent_to_cxone", "accepted"], byCxone.Hops.Select(h => h.Hop));
        Assert.Equal(("platform_id", answer.CxoneMessageId), (byPlatform.MatchedBy, byPlatform.CxoneId));
        Assert.Equal(byCxone.Hops.Select(h => h.Hop), byPlatform.Hops.Select(h => h.Hop));
        Assert.Empty(otherTenant.Matches);
    }

    [Fact]
    public async Task Connector_health_shows_a_connector_that_answers_one_that_does_not_and_each_accounts_last_success()
    {
        await stack.Inbound.IngestAsync(Sample.Ingest("a2", Sample.Unique("thread"), Sample.Unique("m"), "health"));

        var clock = Stopwatch.StartNew();
        var all = await stack.Operations.GetConnectorHealthAsync(new GetConnectorHealthRequest { Scope = OperationsStack.All }, deadline: DateTime.UtcNow.AddSeconds(10));
        clock.Stop();
        var tenantA = await stack.Operations.GetConnectorHealthAsync(new GetConnectorHealthRequest { Scope = OperationsStack.Of(OperationsStack.TenantA) });

        Assert.True(all.Connectors.Single(c => c.Connector == "test").Reachable);
        var down = all.Connectors.Single(c => c.Connector == "down");
        Assert.False(down.Reachable);
        Assert.Contains("Unavailable", down.Error, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"answered in {clock.Elapsed}");
        Assert.Equal(["acme-1", "acme-2", "globex-1"], all.Accounts.Select(a => a.ChannelId));
        Assert.Equal(["acme-1", "acme-2"], tenantA.Accounts.Select(a => a.ChannelId));
        Assert.Equal(["test"], tenantA.Connectors.Select(c => c.Connector));
        Assert.NotNull(tenantA.Accounts.Single(a => a.ChannelId == "acme-2").LastSuccessAt);
    }

    [Fact]
    public async Task With_100000_dead_letters_a_page_is_fast_whatever_the_tenant_order_or_depth_and_the_cap_trims_the_indexes_too()
    {
        await ClearDeadLettersAsync();
        var integrations = new[] { (await stack.Service<RegistryStore>().GetIntegrationAsync("acme"))!, (await stack.Service<RegistryStore>().GetIntegrationAsync("globex"))! };
        var fill = Stopwatch.StartNew();
        const int Total = 100_050;
        for (var start = 0; start < Total; start += 2_000)
        {
            await Task.WhenAll(Enumerable.Range(start, Math.Min(2_000, Total - start)).Select(i =>
            {
                var integration = integrations[i % 4 == 0 ? 1 : 0];
                var channel = integration.Id == "acme" ? (i % 2 == 0 ? "acme-1" : "acme-2") : "globex-1";
                return DeadLetters.AddAsync(new InboundWork(InboundWork.MessageKind, channel, "t", $"m{i}", "{}"), integration, ErrorSource.Cxone, "CXone refused it with 400", "{\"error\":\"x\"}", 1);
            }));
        }

        output.WriteLine($"filled {Total} dead letters in {fill.ElapsedMilliseconds} ms");
        var tenantTotal = (await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.Of(OperationsStack.TenantA), PageSize = 1 })).Total
            + (await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.Of(OperationsStack.TenantB), PageSize = 1 })).Total;
        Assert.Equal(100_000, (await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.All, PageSize = 1 })).Total);
        Assert.Equal(100_000, tenantTotal);

        async Task<ListDeadLetterPageResponse> Timed(string what, ListDeadLetterPageRequest request)
        {
            await stack.Operations.ListDeadLetterPageAsync(request); // warm
            var clock = Stopwatch.StartNew();
            var page = await stack.Operations.ListDeadLetterPageAsync(request);
            output.WriteLine($"{what}: {clock.Elapsed.TotalMilliseconds:0.0} ms ({page.DeadLetters.Count} of {page.Total})");
            Assert.Equal(request.PageSize, page.DeadLetters.Count);
            return page;
        }

        await Timed("all tenants, newest first, page 1 of 50", new() { Scope = OperationsStack.All, PageSize = 50 });
        var deep = await Timed("tenant A, newest first, page 1 of 50", new() { Scope = OperationsStack.Of(OperationsStack.TenantA), PageSize = 50 });
        await Timed("tenant B, oldest first, page 1 of 50", new() { Scope = OperationsStack.Of(OperationsStack.TenantB), PageSize = 50, Order = DeadLetterOrder.OldestFirst });
        await Timed("tenants A and B merged, page 1 of 50", new() { Scope = OperationsStack.Of(OperationsStack.TenantA, OperationsStack.TenantB), PageSize = 50 });
        await Timed("channel acme-2, page 1 of 50", new() { Scope = OperationsStack.Of(OperationsStack.TenantA), ChannelId = "acme-2", PageSize = 50 });
        var middle = (await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.All, PageSize = 500, Cursor = deep.NextCursor })).DeadLetters[^1].Id;
        await Timed("tenant A, from the middle (cursor), page of 500", new() { Scope = OperationsStack.Of(OperationsStack.TenantA), PageSize = 500, Cursor = middle });

        // The oldest 50 went out of the stream and out of their indexes alike: each index starts where the stream does.
        var oldestOfAll = (await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.All, PageSize = 500, Order = DeadLetterOrder.OldestFirst })).DeadLetters;
        foreach (var tenant in new[] { OperationsStack.TenantA, OperationsStack.TenantB })
        {
            var oldest = await stack.Operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest { Scope = OperationsStack.Of(tenant), PageSize = 1, Order = DeadLetterOrder.OldestFirst });
            Assert.Equal(oldestOfAll.First(d => d.TenantId == tenant).Id, oldest.DeadLetters.Single().Id);
        }
    }

    /// <summary>Adds <paramref name="count"/> dead letters of an integration, oldest first; returns their message ids in that order.</summary>
    private async Task<List<string>> AddAsync(string integrationId, int count, string? channel = null)
    {
        var integration = (await stack.Service<RegistryStore>().GetIntegrationAsync(integrationId))!;
        channel ??= integrationId == "acme" ? "acme-1" : "globex-1";
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = Sample.Unique("dead");
            await DeadLetters.AddAsync(new InboundWork(InboundWork.MessageKind, channel, "t", id, "{}"), integration, ErrorSource.Cxone, "CXone refused it with 400", "{}", 1);
            ids.Add(id);
        }

        return ids;
    }

    private async Task ClearDeadLettersAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);
        var db = redis.GetDatabase();
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        await foreach (var key in server.KeysAsync(pattern: "byoc:v1:{byoc:v1:dead-letters}*"))
        {
            await db.KeyDeleteAsync(key);
        }

        await db.KeyDeleteAsync("byoc:v1:dead-letters");
    }
}
