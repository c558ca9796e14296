using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Conversations.Registry;
using Byoc.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Byoc.Conversations.Tests;

/// <summary>
/// Points of contact are created at a CXone that may refuse fields outside the published NewChannel (the simulator in
/// strict mode): only published fields by default, a 400 retried once with the core fields, 429/5xx retried with
/// backoff, and a refusal that stays reported on the health check. Each test has its own Redis and simulator.
/// </summary>
public sealed class ChannelRegistrationTests : IAsyncLifetime
{
    private static readonly string[] Unpublished = ["isTrackingMessageDeliveryStatus", "canSendSenderActions"];
    private readonly RedisServer _redis = new();
    private SandboxProcess _sandbox = null!;
    private WebApplicationFactory<Program>? _conversations;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _sandbox = await SandboxProcess.StartAsync(new Dictionary<string, string> { ["Sandbox:Cxone:StrictChannelFields"] = "true" });
    }

    public async Task DisposeAsync()
    {
        if (_conversations is not null)
        {
            await _conversations.DisposeAsync();
        }

        await _sandbox.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task By_default_points_of_contact_carry_only_published_fields_and_a_strict_cxone_accepts_them()
    {
        Start();

        await Poll.UntilAsync(async () => (await _sandbox.ChannelIdsAsync()).Count == 3, TimeSpan.FromSeconds(30), "every channel is registered");

        foreach (var channel in await ChannelsAsync())
        {
            Assert.All(Unpublished, field => Assert.False(channel.TryGetProperty(field, out _), $"{field} was sent"));
            Assert.True(channel.GetProperty("hasReply").GetBoolean());
        }

        Assert.Equal(HealthStatus.Healthy, (await HealthAsync()).Status);
    }

    [Fact]
    public async Task Unpublished_fields_are_sent_when_the_integration_opts_in_and_a_400_is_retried_once_without_the_optional_fields()
    {
        Start(new Dictionary<string, string> { ["Byoc:Provisioning:Integrations:0:Cxone:SendUnpublishedChannelFields"] = "true" });

        await Poll.UntilAsync(async () => (await _sandbox.ChannelIdsAsync()).Count == 3, TimeSpan.FromSeconds(30), "every channel is registered");

        // acme opted in: the strict simulator refused the unpublished fields, and the retry carried the core ones only.
        var acme = (await ChannelsAsync()).Single(c => c.GetProperty("id").GetString() == "acme-1");
        Assert.Equal(Provisioning.CoreChannelFields.Order(StringComparer.Ordinal), acme.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var globex = (await ChannelsAsync()).Single(c => c.GetProperty("id").GetString() == "globex-1");
        Assert.True(globex.GetProperty("hasReply").GetBoolean());
        // acme-1 exists, but without hasReply and the other optional fields: the health check says so, by name.
        var health = await HealthAsync();
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("acme-1 registered with the core fields only", health.Entries["cxone-channels"].Description, StringComparison.Ordinal);
        Assert.DoesNotContain("globex-1", health.Entries["cxone-channels"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_channel_cxone_keeps_refusing_is_reported_degraded_on_the_health_check_by_name()
    {
        // Both attempts of the first channel (acme-1: full, then core fields only) are refused.
        await _sandbox.AddFaultAsync("status", 2, "/dfo/3.0/channels", statusCode: 400);
        Start();

        await Poll.UntilAsync(async () => (await _sandbox.ChannelIdsAsync()).Count == 2, TimeSpan.FromSeconds(30), "the other channels are registered");
        await Poll.UntilAsync(async () => (await HealthAsync()).Status == HealthStatus.Degraded, TimeSpan.FromSeconds(30), "the refusal is reported");

        var entry = (await HealthAsync()).Entries["cxone-channels"];
        Assert.Contains("acme-1", entry.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("globex-1", entry.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("acme-1", await _sandbox.ChannelIdsAsync());
    }

    [Fact]
    public async Task A_channel_cxone_keeps_refusing_is_listed_by_the_operations_api_with_cxones_answer()
    {
        await _sandbox.AddFaultAsync("status", 2, "/dfo/3.0/channels", statusCode: 400);
        Start();
        using var channel = GrpcChannel.ForAddress(_conversations!.Server.BaseAddress,
            new GrpcChannelOptions { HttpHandler = ConversationsStack.WithInternalKey(_conversations.Server.CreateHandler()) });
        var operations = new V1.Operations.OperationsClient(channel);

        await Poll.UntilAsync(async () => (await operations.ListChannelRefusalsAsync(new V1.ListChannelRefusalsRequest())).Refusals.Count == 1,
            TimeSpan.FromSeconds(30), "the refusal is listed");

        var refusal = (await operations.ListChannelRefusalsAsync(new V1.ListChannelRefusalsRequest())).Refusals.Single();
        Assert.Equal(("acme-1", "acme", 400), (refusal.ChannelId, refusal.IntegrationId, refusal.StatusCode));
        Assert.False(string.IsNullOrEmpty(refusal.Body));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task A_cxone_that_is_busy_or_failing_gets_the_channels_later(int status)
    {
        await _sandbox.AddFaultAsync("status", 3, "/dfo/3.0/channels", statusCode: status, retryAfterSeconds: status == 429 ? 1 : null);
        Start();

        // While CXone keeps failing, the channels it has not taken yet are shown, not silently retried.
        await Poll.UntilAsync(async () => (await HealthAsync()).Entries["cxone-channels"].Description?.Contains($"not registered yet, retrying: CXone answered {status}", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "the channels being retried are reported");
        await Poll.UntilAsync(async () => (await _sandbox.ChannelIdsAsync()).Count == 3, TimeSpan.FromSeconds(30), "every channel is registered after the faults");

        Assert.Equal(HealthStatus.Healthy, (await HealthAsync()).Status);
    }

    [Fact]
    public void The_unpublished_fields_are_in_the_body_only_when_the_integration_opts_in()
    {
        var integration = new Integration("i1", "t1", "Test", "client", new CxoneAccess("https://cxone.example", "app", "s", "k", "ks", null));
        var channel = new ProvisionedChannel { Id = "c1", Connector = "test", AccountId = "a1" };

        var byDefault = Provisioning.ToCxoneChannel(integration, channel);
        var optedIn = Provisioning.ToCxoneChannel(integration, channel, sendUnpublishedFields: true);

        Assert.All(Unpublished, f => Assert.False(byDefault.ContainsKey(f)));
        Assert.All(Unpublished, f => Assert.True(optedIn[f]!.GetValue<bool>()));
        Assert.Equal(Provisioning.CoreChannelFields, Provisioning.CoreOnly(optedIn).Select(p => p.Key));
    }

    private void Start(Dictionary<string, string>? extra = null)
    {
        var settings = ConversationsStack.Settings(_redis.ConnectionString, _sandbox.Url, new Uri("http://127.0.0.1:9"));
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        _conversations = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });
        _ = _conversations.Server; // starts it: provisioning registers the channels in the background
    }

    private Task<HealthReport> HealthAsync() =>
        _conversations!.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "cxone-channels");

    private async Task<List<JsonElement>> ChannelsAsync() =>
        [.. (await _sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/channels")).EnumerateArray()];
}
