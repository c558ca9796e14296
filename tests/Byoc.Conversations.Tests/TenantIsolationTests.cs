using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Conversations.Cxone;
using Byoc.Conversations.Identity;
using Byoc.Conversations.Registry;
using Byoc.Conversations.V1;
using Byoc.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Byoc.Conversations.Tests;

/// <summary>
/// Conversations with a small delivery budget (so that one tenant's retries could fill it) on a Redis and a CXone
/// simulator of its own: faults here cannot touch the shared stack's tests. Tenant A is "globex" (channel
/// globex-1), tenant B "acme" (acme-1); the four partitions mix them.
/// </summary>
public sealed class TenantIsolationTests : IAsyncLifetime
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);
    private readonly RedisServer _redis = new();
    private SandboxProcess _sandbox = null!;
    private WebApplicationFactory<Program> _factory = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _sandbox = await SandboxProcess.StartAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            foreach (var (key, value) in ConversationsStack.Settings(_redis.ConnectionString, _sandbox.Url, new Uri("http://127.0.0.1:1")))
            {
                web.UseSetting(key, value);
            }

            web.UseSetting("Byoc:Conversations:MaxConcurrentDeliveries", "8");
            web.UseSetting("Byoc:Conversations:ReadBatch", "4");
            web.UseSetting("Byoc:Conversations:MaxConcurrentDeliveriesPerIntegration", "2");
            web.UseSetting("Byoc:Conversations:MaxAttempts", "100000");
            web.UseSetting("Byoc:Conversations:RetryFor", "01:00:00");
            web.UseSetting("Byoc:Conversations:RetryMaxDelay", "00:00:01");
            web.UseSetting("Byoc:Conversations:AuthFailuresToOpen", "3");
            web.UseSetting("Byoc:Conversations:AuthCircuitOpenFor", "01:00:00");
        });
        _channel = GrpcChannel.ForAddress(_factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = ConversationsStack.WithInternalKey(_factory.Server.CreateHandler(), ConversationsStack.ConnectorKey) });
        await Poll.UntilAsync(async () => (await _sandbox.ChannelIdsAsync()).Count == 3, TimeSpan.FromSeconds(30), "channels registered");
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _factory.DisposeAsync();
        await _sandbox.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task While_one_tenants_CXone_answers_503_the_other_tenants_messages_all_arrive_and_the_first_tenants_arrive_in_order_after_it_recovers()
    {
        var inbound = new V1.Inbound.InboundClient(_channel);
        await _sandbox.AddFaultAsync("status", count: 10_000_000, pathContains: "/channels/globex-1/messages", statusCode: 503);
        var outage = Stopwatch.StartNew();

        // Tenant A: 12 threads of 3 messages, more failing heads than the replica has delivery slots.
        var failingThreads = Enumerable.Range(0, 12).Select(_ => Sample.Unique("a-thread")).ToList();
        foreach (var thread in failingThreads)
        {
            for (var i = 0; i < 3; i++)
            {
                await inbound.IngestAsync(Sample.Ingest("g1", thread, $"{thread}-{i}", i.ToString(CultureInfo.InvariantCulture)));
            }
        }

        // Tenant B keeps writing, round after round, and every round arrives while A is still down.
        var rounds = 0;
        while (outage.Elapsed < Outage - TimeSpan.FromSeconds(15))
        {
            var threads = Enumerable.Range(0, 10).Select(_ => Sample.Unique("b-thread")).ToList();
            await Task.WhenAll(threads.Select(async thread =>
            {
                for (var i = 0; i < 5; i++)
                {
                    await inbound.IngestAsync(Sample.Ingest("a1", thread, $"{thread}-{i}", i.ToString(CultureInfo.InvariantCulture)));
                }
            }));
            foreach (var thread in threads)
            {
                var cxoneThread = ExternalIds.Derive("test", "a1", IdKind.Thread, thread);
                await Poll.UntilAsync(async () => (await _sandbox.MessagesInThreadAsync("acme-1", cxoneThread)).Count == 5, TimeSpan.FromSeconds(10), $"round {rounds}: tenant B's thread arrived while A fails");
                Assert.Equal(["0", "1", "2", "3", "4"], Texts(await _sandbox.MessagesInThreadAsync("acme-1", cxoneThread)));
            }

            rounds++;
        }

        Assert.True(outage.Elapsed < Outage, "tenant B's messages arrived within A's outage");
        Assert.Equal(0, (await _sandbox.MessagesAsync("globex-1")).GetProperty("messages").GetArrayLength());

        // The outage lasts its full length, then CXone recovers for tenant A.
        await Poll.UntilAsync(() => outage.Elapsed >= Outage, Outage, "the outage's end");
        (await _sandbox.Http.DeleteAsync("/sandbox/cxone/faults")).EnsureSuccessStatusCode();

        foreach (var thread in failingThreads)
        {
            var cxoneThread = ExternalIds.Derive("test", "g1", IdKind.Thread, thread);
            await Poll.UntilAsync(async () => (await _sandbox.MessagesInThreadAsync("globex-1", cxoneThread)).Count == 3, TimeSpan.FromSeconds(30), "tenant A's thread arrived after recovery");
            Assert.Equal(["0", "1", "2"], Texts(await _sandbox.MessagesInThreadAsync("globex-1", cxoneThread)));
        }

        Assert.True(rounds >= 3, $"tenant B wrote {rounds} rounds during the outage");
    }

    [Fact]
    public async Task Repeated_auth_refusals_open_a_circuit_and_CXone_auth_is_not_called_again_while_it_is_open()
    {
        var integration = (await _factory.Services.GetRequiredService<RegistryStore>().GetIntegrationAsync("globex"))!;
        var cxone = _factory.Services.GetRequiredService<CxoneClient>();
        await _sandbox.ExpireTokensAsync();
        await _sandbox.AddFaultAsync("status", count: 1000, pathContains: "/auth/token", statusCode: 401);

        var results = new List<CxoneResult>();
        for (var i = 0; i < 10; i++)
        {
            results.Add(await cxone.CreateMessageAsync(integration, "globex-1", "{}", CancellationToken.None));
        }

        Assert.All(results, r => Assert.Equal(CxoneOutcome.Retryable, r.Outcome));
        Assert.Equal(3, 1000 - await FaultsRemainingAsync());
        Assert.All(results.Skip(3), r => Assert.True(r.RetryAfter > TimeSpan.FromMinutes(30), "an open circuit tells how long to wait"));

        // The other tenant's auth is untouched.
        var acme = (await _factory.Services.GetRequiredService<RegistryStore>().GetIntegrationAsync("acme"))!;
        (await _sandbox.Http.DeleteAsync("/sandbox/cxone/faults")).EnsureSuccessStatusCode();
        var other = await cxone.ListChannelsAsync(acme, CancellationToken.None);
        Assert.Equal(CxoneOutcome.Accepted, other.Outcome);
    }

    private async Task<int> FaultsRemainingAsync() =>
        (await _sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/stats")).GetProperty("faultsRemaining").GetInt32();

    private static IEnumerable<string?> Texts(IReadOnlyList<JsonElement> messages) =>
        messages.Select(m => m.GetProperty("messageContent").GetProperty("payload").GetProperty("text").GetString());
}
