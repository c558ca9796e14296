extern alias edge;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Conversations.V1;
using Byoc.Edge.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace Byoc.Edge.Tests.Admin;

/// <summary>The admin API's messages, dead letters and connector health: roles, tenant scope, audit, and the field a bad value names.</summary>
public sealed class OperationsApiTests(EdgeHost host) : EdgeTest(host)
{
    private const string Admin = "Byoc.Admin";
    private const string Viewer = "Byoc.Viewer";
    private EdgeFactory _edge = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _edge = TestAdmins.CreateEdge(Host);
        for (var i = 1; i <= 3; i++)
        {
            Conversations.Operations.DeadLetters.Add(Letter($"100{i}-0", TestData.TenantA, TestData.ChannelA));
        }

        Conversations.Operations.DeadLetters.Add(Letter("2001-0", TestData.TenantB, TestData.ChannelB));
    }

    public override async Task DisposeAsync()
    {
        await _edge.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task A_viewer_of_one_tenant_lists_only_that_tenants_dead_letters_with_their_error_newest_first()
    {
        using var client = _edge.CreateClient().As(Viewer, TestData.TenantA);

        var page = await client.GetFromJsonAsync<JsonElement>("/admin/api/dead-letters?pageSize=2");

        Assert.Equal(3, page.GetProperty("total").GetInt64());
        Assert.Equal(["1003-0", "1002-0"], page.GetProperty("deadLetters").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        Assert.Equal("1002-0", page.GetProperty("nextCursor").GetString());
        var first = page.GetProperty("deadLetters")[0];
        Assert.Equal("cxone", first.GetProperty("errorSource").GetString());
        Assert.Equal("{\"error\":\"invalid\"}", first.GetProperty("response").GetString());
        Assert.Equal([TestData.TenantA], Conversations.Operations.Scopes.Single().TenantIds);
        Assert.False(Conversations.Operations.Scopes.Single().AllTenants);
    }

    [Fact]
    public async Task An_admin_of_every_tenant_may_narrow_to_one_and_a_one_tenant_admin_asking_for_another_gets_403_naming_tenantId()
    {
        using var all = _edge.CreateClient().As(Admin);
        using var tenantA = _edge.CreateClient().As(Admin, TestData.TenantA);

        var narrowed = await all.GetFromJsonAsync<JsonElement>($"/admin/api/dead-letters?tenantId={TestData.TenantB}&order=oldest");
        using var refused = await tenantA.GetAsync($"/admin/api/dead-letters?tenantId={TestData.TenantB}");

        Assert.Equal(["2001-0"], narrowed.GetProperty("deadLetters").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("tenantId", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=501", "pageSize")]
    [InlineData("pageSize=many", "pageSize")]
    [InlineData("order=sideways", "order")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task A_bad_query_value_is_a_problem_naming_its_field(string query, string field)
    {
        using var client = _edge.CreateClient().As(Viewer);

        using var response = await client.GetAsync($"/admin/api/dead-letters?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task A_viewer_cannot_replay_one_or_many_and_nothing_is_replayed()
    {
        using var client = _edge.CreateClient().As(Viewer, TestData.TenantA);

        using var one = await client.PostAsync("/admin/api/dead-letters/1001-0/replay", null);
        using var many = await client.PostAsync("/admin/api/dead-letters/replay", Json("""{"ids":["1001-0"]}"""));

        Assert.Equal(HttpStatusCode.Forbidden, one.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, many.StatusCode);
        Assert.Empty(Conversations.Operations.Replays);
    }

    [Fact]
    public async Task An_admins_replay_is_audited_with_who_how_and_the_tenant_and_another_tenants_dead_letter_is_not_replayed()
    {
        using var client = _edge.CreateClient().As(Admin, TestData.TenantA);

        using var replayed = await client.PostAsync("/admin/api/dead-letters/1001-0/replay", null);
        using var theirs = await client.PostAsync("/admin/api/dead-letters/2001-0/replay", null);
        var many = await (await client.PostAsync("/admin/api/dead-letters/replay", Json("""{"ids":["1002-0","1003-0","2001-0"]}"""))).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Equal(["1002-0", "1003-0"], many.GetProperty("replayed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["2001-0"], many.GetProperty("notReplayed").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(Conversations.Operations.DeadLetters, d => d.Id == "2001-0");
        Assert.All(Conversations.Operations.Replays, r => Assert.Equal([TestData.TenantA], r.Scope.TenantIds));

        var audit = await client.GetFromJsonAsync<JsonElement[]>("/admin/api/audit");
        var replays = audit!.Where(e => e.GetProperty("action").GetString() == "dead-letter.replay").ToList();
        Assert.Equal(3, replays.Count);
        Assert.All(replays, e =>
        {
            Assert.Equal("Byoc.Admin user", e.GetProperty("who").GetString());
            Assert.Equal("entra", e.GetProperty("via").GetString());
            Assert.Equal(TestData.TenantA, e.GetProperty("tenantId").GetString());
        });
        Assert.Contains(replays, e => e.GetProperty("target").GetString()!.StartsWith("dead-letter/1001-0", StringComparison.Ordinal));
        // Tenant B's admin sees none of tenant A's replays.
        using var tenantB = _edge.CreateClient().As(Admin, TestData.TenantB);
        Assert.DoesNotContain(await tenantB.GetFromJsonAsync<JsonElement[]>("/admin/api/audit") ?? [], e => e.GetProperty("action").GetString() == "dead-letter.replay");
    }

    [Fact]
    public async Task Replaying_many_needs_ids_and_says_so_naming_the_field()
    {
        using var client = _edge.CreateClient().As(Admin);

        using var none = await client.PostAsync("/admin/api/dead-letters/replay", Json("""{"ids":[]}"""));
        using var bad = await client.PostAsync("/admin/api/dead-letters/replay", Json("""{"ids":["drop table"]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Equal("ids", (await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Empty(Conversations.Operations.Replays);
    }

    [Fact]
    public async Task A_message_is_found_by_id_with_its_timeline_and_another_tenants_message_is_not_found()
    {
        Conversations.Operations.Messages.Add(new MessageMatch
        {
            ChannelId = TestData.ChannelA, TenantId = TestData.TenantA, IntegrationId = TestData.IntegrationA, Connector = "telegram", AccountId = "bot-1",
            MatchedBy = "platform_id", Kind = IdKind.Message, CxoneId = "telegram-msg-abc", PlatformId = "42",
            Hops =
            {
                new TimelineHop { At = Timestamp.FromDateTimeOffset(TestData.DeliveredAt), Hop = "queued", Detail = "telegram/bot-1 42" },
                new TimelineHop { At = Timestamp.FromDateTimeOffset(TestData.DeliveredAt.AddSeconds(1)), Hop = "accepted" },
            },
        });
        using var mine = _edge.CreateClient().As(Viewer, TestData.TenantA);
        using var other = _edge.CreateClient().As(Viewer, TestData.TenantB);

        var found = await mine.GetFromJsonAsync<JsonElement>("/admin/api/messages?id=42");
        using var notFound = await other.GetAsync("/admin/api/messages?id=42");
        using var missing = await mine.GetAsync("/admin/api/messages?id=");

        var match = found.GetProperty("matches").EnumerateArray().Single();
        Assert.Equal((TestData.ChannelA, TestData.TenantA, "telegram-msg-abc"),
            (match.GetProperty("channelId").GetString(), match.GetProperty("tenantId").GetString(), match.GetProperty("cxoneId").GetString()));
        Assert.Equal(["queued", "accepted"], match.GetProperty("timeline").EnumerateArray().Select(h => h.GetProperty("hop").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("id", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Connector_health_shows_each_connector_and_only_the_callers_accounts()
    {
        Conversations.Operations.Health = new GetConnectorHealthResponse
        {
            Connectors =
            {
                new ConnectorHealth { Connector = "telegram", Reachable = true, DisplayName = "Telegram", Latency = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(12)) },
                new ConnectorHealth { Connector = "webhook", Reachable = false, Error = "Unavailable: connection refused" },
            },
            Accounts =
            {
                new AccountHealth { ChannelId = TestData.ChannelA, TenantId = TestData.TenantA, Connector = "telegram", AccountId = "bot-1", LastSuccessAt = Timestamp.FromDateTimeOffset(TestData.DeliveredAt) },
                new AccountHealth { ChannelId = TestData.ChannelB, TenantId = TestData.TenantB, Connector = "webhook", AccountId = "hook-1", LastFailure = "refused" },
            },
        };
        using var client = _edge.CreateClient().As(Viewer, TestData.TenantA);

        var health = await client.GetFromJsonAsync<JsonElement>("/admin/api/connectors");

        Assert.Equal([true, false], health.GetProperty("connectors").EnumerateArray().Select(c => c.GetProperty("reachable").GetBoolean()));
        Assert.Equal("Unavailable: connection refused", health.GetProperty("connectors")[1].GetProperty("error").GetString());
        Assert.Equal([TestData.ChannelA], health.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("channelId").GetString()));
    }

    [Fact]
    public async Task Without_credentials_the_operations_api_answers_401()
    {
        using var client = _edge.CreateClient();

        using var response = await client.GetAsync("/admin/api/dead-letters");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static DeadLetter Letter(string id, string tenant, string channel) => new()
    {
        Id = id, TenantId = tenant, ChannelId = channel, IntegrationId = tenant == TestData.TenantA ? TestData.IntegrationA : TestData.IntegrationB,
        Kind = "message", MessageId = $"msg-{id}", ThreadId = "thread-1", ErrorSource = ErrorSource.Cxone,
        Reason = "CXone refused it with 400", CxoneResponse = "{\"error\":\"invalid\"}", Attempts = 1, FailedAt = Timestamp.FromDateTimeOffset(TestData.DeliveredAt),
    };
}
