using System.Net;
using System.Net.Http.Headers;
using Byoc.Conversations.V1;
using Byoc.Edge.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace Byoc.Edge.Tests.Admin;

/// <summary>The operations pages as the server first renders them: labelled fields, the caller's data only, replay only for admins.</summary>
public sealed class OperationsPagesTests(EdgeHost host) : EdgeTest(host)
{
    [Fact]
    public async Task The_dead_letters_page_lists_the_viewers_tenant_only_and_offers_no_replay_to_a_viewer()
    {
        Conversations.Operations.DeadLetters.Add(Letter("1001-0", TestData.TenantA));
        Conversations.Operations.DeadLetters.Add(Letter("2001-0", TestData.TenantB));

        var viewer = await PageAsync("/admin/dead-letters", AdminTokens.Viewer, TestData.TenantA);
        var admin = await PageAsync("/admin/dead-letters", AdminTokens.Admin, TestData.TenantA);

        Assert.Contains("data-dead-letter=\"1001-0\"", viewer, StringComparison.Ordinal);
        Assert.DoesNotContain("2001-0", viewer, StringComparison.Ordinal);
        Assert.DoesNotContain(">Replay<", viewer, StringComparison.Ordinal);
        Assert.Contains("CXone refused it with 400", viewer, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"Replay dead letter 1001-0", admin, StringComparison.Ordinal);
        // The FluentUI field's label names the text input it labels.
        Assert.Matches("<label [^>]*for=\"dl-channel\"[^>]*>Point of contact \\(channel id\\)</label><fluent-text-input [^>]*id=\"dl-channel\"", admin);
    }

    [Fact]
    public async Task The_messages_page_opened_with_an_id_shows_the_timeline()
    {
        Conversations.Operations.Messages.Add(new MessageMatch
        {
            ChannelId = TestData.ChannelA, TenantId = TestData.TenantA, CxoneId = "test-msg-1", PlatformId = "p-1", MatchedBy = "cxone_id", Kind = IdKind.Message,
            Hops = { new TimelineHop { At = Timestamp.FromDateTimeOffset(TestData.DeliveredAt), Hop = "dead_lettered", Detail = "CXone refused it with 400" } },
        });

        var page = await PageAsync("/admin/messages?id=test-msg-1", AdminTokens.Viewer, TestData.TenantA);

        Assert.Matches("<label [^>]*for=\"message-id\"[^>]*>Message id</label><fluent-text-input [^>]*id=\"message-id\"", page);
        Assert.Contains(" hop hop-dead_lettered\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_connectors_page_shows_a_connector_that_does_not_answer()
    {
        Conversations.Operations.Health = new GetConnectorHealthResponse { Connectors = { new ConnectorHealth { Connector = "webhook", Reachable = false, Error = "Unavailable: refused" } } };

        var page = await PageAsync("/admin/connectors", AdminTokens.Viewer);

        Assert.Contains("does not answer", page, StringComparison.Ordinal);
        Assert.Contains("Unavailable: refused", page, StringComparison.Ordinal);
    }

    private async Task<string> PageAsync(string path, string role, params string[] tenants)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        request.Headers.Authorization = new("Bearer", AdminTokens.Bearer(role, tenants));
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static DeadLetter Letter(string id, string tenant) => new()
    {
        Id = id, TenantId = tenant, ChannelId = "channel", MessageId = $"msg-{id}", Kind = "message", ErrorSource = ErrorSource.Cxone,
        Reason = "CXone refused it with 400", CxoneResponse = "{}", Attempts = 1, FailedAt = Timestamp.FromDateTimeOffset(TestData.DeliveredAt),
    };
}
