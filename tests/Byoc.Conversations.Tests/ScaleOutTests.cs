using System.Globalization;
using Byoc.Conversations.Identity;
using Byoc.Conversations.V1;
using Byoc.Testing;
using Grpc.Net.Client;

namespace Byoc.Conversations.Tests;

/// <summary>Two Conversations replicas as real processes on one Redis, one killed with SIGKILL mid-delivery.</summary>
public sealed class ScaleOutTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly List<ServiceProcess> _replicas = [];
    private SandboxProcess _sandbox = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _sandbox = await SandboxProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await _sandbox.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task When_a_replica_is_killed_mid_delivery_the_survivor_delivers_everything_once_and_in_order()
    {
        var (first, firstGrpc) = await StartReplicaAsync();
        var (second, _) = await StartReplicaAsync();
        await Poll.UntilAsync(async () => (await _sandbox.ChannelIdsAsync()).Count == 3, TimeSpan.FromSeconds(30), "channels registered");
        // Slow CXone down (a thread of 10 then needs at least 2 s) so that the kill surely lands while deliveries are
        // under way on both replicas.
        await _sandbox.AddFaultAsync("delay", count: 100_000, pathContains: "/messages", delayMilliseconds: 200);

        const int threads = 30;
        const int perThread = 10;
        using var grpc = GrpcChannel.ForAddress(firstGrpc, new GrpcChannelOptions { HttpHandler = ConversationsStack.WithInternalKey(new SocketsHttpHandler(), ConversationsStack.ConnectorKey) });
        var inbound = new V1.Inbound.InboundClient(grpc);
        var threadIds = Enumerable.Range(0, threads).Select(t => $"scale-{t}-{Guid.NewGuid():N}").ToList();
        await Task.WhenAll(threadIds.Select(async thread =>
        {
            for (var i = 0; i < perThread; i++)
            {
                await inbound.IngestAsync(Sample.Ingest("a1", thread, $"{thread}-{i}", i.ToString(CultureInfo.InvariantCulture)));
            }
        }));

        await Poll.UntilAsync(async () => Stored(await _sandbox.MessagesAsync("acme-1")) >= threads * perThread / 5, TimeSpan.FromSeconds(60), "a fifth delivered");
        await second.KillAsync();
        Assert.True(Stored(await _sandbox.MessagesAsync("acme-1")) < threads * perThread, "the kill must land before everything is delivered");

        await Poll.UntilAsync(async () => Stored(await _sandbox.MessagesAsync("acme-1")) == threads * perThread, TimeSpan.FromSeconds(90), "every message delivered by the survivor");
        foreach (var thread in threadIds)
        {
            var order = (await _sandbox.MessagesInThreadAsync("acme-1", ExternalIds.Derive("test", "a1", IdKind.Thread, thread)))
                .Select(m => m.GetProperty("messageContent").GetProperty("payload").GetProperty("text").GetString());
            Assert.Equal(Enumerable.Range(0, perThread).Select(i => i.ToString(CultureInfo.InvariantCulture)), order);
        }

        Assert.False(first.HasExited);
    }

    private static int Stored(System.Text.Json.JsonElement messages) => messages.GetProperty("messages").GetArrayLength();

    private async Task<(ServiceProcess Process, Uri Grpc)> StartReplicaAsync()
    {
        var (grpcPort, healthPort) = (ServiceProcess.FreePort(), ServiceProcess.FreePort());
        var environment = ConversationsStack.Settings(_redis.ConnectionString, _sandbox.Url, new Uri("http://127.0.0.1:1"));
        environment["Kestrel:Endpoints:http:Url"] = $"http://127.0.0.1:{grpcPort}";
        environment["Kestrel:Endpoints:health:Url"] = $"http://127.0.0.1:{healthPort}";
        var process = await ServiceProcess.StartConversationsAsync(environment, new Uri($"http://127.0.0.1:{healthPort}/health"));
        _replicas.Add(process);
        return (process, new Uri($"http://127.0.0.1:{grpcPort}"));
    }
}
