using Byoc.Bench;
using Byoc.Testing;

namespace Byoc.EndToEnd.Tests;

/// <summary>
/// The fault suite's short form (<c>bench/run --faults --short</c>) in CI, on an app of its own: webhooks and agent
/// replies under way while each process is killed with <c>kill -9</c> and started again, CXone answers 429, 500 and
/// too late, and Junglebook is down. Its full form (at least 20,000 messages each way, 30 s windows) is
/// <c>bench/run --faults</c>, with its figures in docs/reliability.md.
/// </summary>
public sealed class FaultSuiteTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Under_kills_and_outages_every_acknowledged_message_arrives_once_in_order_and_only_the_refused_become_dead_letters()
    {
        var plan = FaultPlan.Brief;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(12));
        await using var app = await BenchApp.StartAsync(dashboard: false, perfMap: false, timeout.Token, plan.Configure);
        var sandbox = new SandboxClient(app.Sandbox);
        await Poll.UntilAsync(async () => (await sandbox.ChannelIdsAsync()).Count == Profile.Sandbox.Count,
            TimeSpan.FromSeconds(60), "the Junglebook profiles are points of contact at CXone");

        var result = await FaultSuite.RunAsync(app, plan, line => output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {line}"), timeout.Token);
        var report = result.ToMarkdown();
        output.WriteLine(report);

        Assert.True(result.EveryWindowTried, report);
        Assert.True(result.Inbound.Acknowledged >= plan.MinMessages && result.Outbound.Acknowledged >= plan.MinMessages, report);
        Assert.True(result.Inbound.ExactlyOnceInOrder && result.Inbound.Unacknowledged == 0, report);
        Assert.True(result.Outbound.ExactlyOnceInOrder && result.Outbound.Unacknowledged == 0, report);
        Assert.True(result.DeadLettersExact, report);
        Assert.True(result.NoServerErrors, report);
    }
}
