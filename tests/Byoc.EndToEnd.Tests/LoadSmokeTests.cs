using Byoc.Bench;

namespace Byoc.EndToEnd.Tests;

/// <summary>
/// The benchmark suite's two directions, briefly, on the running app: many threads and connections at once, then
/// every message checked. What these assert is correctness under load (nothing lost, nothing twice, each thread in
/// order), never a rate or a latency: those are the benchmark's (bench/run, docs/benchmarks.md).
/// </summary>
[Collection(ByocAppCollection.Name)]
public sealed class LoadSmokeTests(ByocApp app)
{
    private const int Connections = 16;
    private static readonly TimeSpan LoadFor = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task Signed_webhooks_on_many_threads_at_once_reach_cxone_exactly_once_and_each_thread_in_order()
    {
        using var http = Client();
        var load = new InboundLoad(http, new Uri(app.EdgeUrl, "hooks/junglebook/"), Tag("smoke-in"), threads: 200, Profile.Sandbox);

        var result = await load.RunAsync("inbound smoke", Connections, LoadFor, CancellationToken.None);
        var check = await InboundCheck.VerifyAsync(app.Sandbox, load, Profile.Sandbox, updatesBefore: 0, TimeSpan.FromSeconds(90), CancellationToken.None);

        Assert.Equal(0, result.Failed);
        Assert.True(check.Acknowledged >= 400, $"only {check.Acknowledged} webhooks were acknowledged: the check needs several messages per thread");
        Assert.True(check.ExactlyOnceInOrder, check.ToString());
        Assert.Equal(0, check.Unacknowledged);
    }

    [Fact]
    public async Task Agent_replies_sent_at_once_from_many_connections_reach_junglebook_exactly_once()
    {
        using var http = Client();
        var threads = await OutboundLoad.OpenThreadsAsync(app.Sandbox, Tag("smoke-open"), Profile.Sandbox, perProfile: 10, TimeSpan.FromSeconds(60), CancellationToken.None);
        var load = new OutboundLoad(http, app.EdgeUrl, Tag("smoke-out"), threads, ct => EdgeTokens.FetchAsync(http, app.EdgeUrl, ct), useCxoneThreadIds: true);

        var result = await load.RunAsync("outbound smoke", Connections, LoadFor, CancellationToken.None);
        var check = await OutboundCheck.VerifyAsync(app.Sandbox, load, threads, CancellationToken.None);

        Assert.Equal(0, result.Failed);
        Assert.True(check.Acknowledged >= 200, $"only {check.Acknowledged} replies were acknowledged");
        Assert.True(check.ExactlyOnce, check.ToString());
        Assert.Equal(0, check.Unacknowledged);
    }

    private static HttpClient Client() => new(new SocketsHttpHandler { MaxConnectionsPerServer = Connections, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };

    private static string Tag(string what) => $"{what}-{Guid.NewGuid():N}";
}
