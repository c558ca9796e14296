using System.Globalization;
using Byoc.Bench;
using Byoc.Testing;

// The benchmark suite (bench/run): the app model started as `dotnet run` starts it, a minimal relay beside it, the same
// closed-loop load on both, every message checked afterwards, and the report written between the markers of
// docs/benchmarks.md. Options: --duration S (per phase, default 15), --connections N (16), --threads N (2000),
// --label TEXT, --write FILE, --dashboard (export telemetry to Aspire's dashboard, as `dotnet run` does).
if (args is ["--faults", .. var faultArgs])
{
    // The fault suite (bench/run --faults [--short]): its own app, faults one after another under load in both directions;
    // the report goes to .artifacts/faults/.
    return await FaultCommand.RunAsync(faultArgs);
}

var options = BenchOptions.Parse(args);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
var ct = stop.Token;

Console.WriteLine($"byoc bench: starting the app model ({(options.Dashboard ? "with" : "without")} the dashboard) and the relay");
await using var app = await BenchApp.StartAsync(options.Dashboard, options.PerfMap, ct);
using var http = new HttpClient(new System.Net.Http.SocketsHttpHandler
{
    MaxConnectionsPerServer = options.Connections,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    UseProxy = false,
}) { Timeout = TimeSpan.FromSeconds(30) };
var sandbox = new SandboxClient(app.Sandbox);
var report = new Report(options, Machine.Describe(await Machine.RedisVersionAsync(app.RedisConnectionString)));
await Poll.UntilAsync(async () => (await sandbox.ChannelIdsAsync()).Count == Profile.Sandbox.Count, TimeSpan.FromSeconds(60), "the Junglebook profiles are points of contact at CXone");
var processes = BenchApp.Processes();
var run = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

// Threads customers opened (through Byoc) that replies go to, by Byoc (CXone's thread ids) and by the relay (Junglebook's).
var replyThreads = await OutboundLoad.OpenThreadsAsync(sandbox, $"r{run}", Profile.Sandbox, perProfile: 50, TimeSpan.FromSeconds(120), ct);
var warmup = options.Warmup;

// What the simulators stored is checked after each phase and then forgotten, so that their heaps (and their garbage
// collections) stay as small in the last phase as in the first.
async Task ForgetCxoneMessagesAsync()
{
    foreach (var profile in Profile.Sandbox)
    {
        (await sandbox.Http.DeleteAsync($"/sandbox/cxone/channels/{profile.ChannelId}/messages", ct)).EnsureSuccessStatusCode();
    }
}

async Task ForgetRepliesAsync()
{
    foreach (var thread in replyThreads)
    {
        (await sandbox.Http.DeleteAsync($"/junglebook/customer/threads/{thread.JunglebookThreadId}/messages", ct)).EnsureSuccessStatusCode();
    }
}

async Task<(LoadResult Load, IReadOnlyList<ProcessUse> Use)> Phase(Func<TimeSpan, Task<LoadResult>> load)
{
    await load(warmup); // JIT, connection pools, caches: not measured.
    await using var meter = ProcessMeter.Start(processes);
    var result = await load(options.Duration);
    var use = await meter.StopAsync();
    Console.WriteLine($"  {result.Name}: {result.PerSecond:0}/s, p50 {result.Latencies.P50:0.0} ms, p99 {result.Latencies.P99:0.0} ms, {result.Failed} failed");
    return (result, use);
}

if (options.Only is { } only)
{
    // One path under load for as long as asked, e.g. while a profiler is attached; nothing is reported.
    var result = only switch
    {
        "inbound" => await new InboundLoad(http, new Uri(app.Edge, "hooks/junglebook/"), $"p{run}", options.Threads, Profile.Sandbox).RunAsync("Byoc inbound", options.Connections, options.Duration, ct),
        "outbound" => await new OutboundLoad(http, app.Edge, $"p{run}", replyThreads, c => EdgeTokens.FetchAsync(http, app.Edge, c), useCxoneThreadIds: true).RunAsync("Byoc outbound", options.Connections, options.Duration, ct),
        "tokens" => await EdgeTokens.RunAsync(http, app.Edge, options.Connections, options.Duration, ct),
        _ => throw new ArgumentException("--only takes inbound, outbound or tokens"),
    };
    Console.WriteLine($"  {result.Name}: {result.PerSecond:0}/s, p50 {result.Latencies.P50:0.0} ms, p99 {result.Latencies.P99:0.0} ms, {result.Failed} failed");
    return 0;
}

Console.WriteLine("byoc bench: the simulators alone");
var cxoneAlone = await Phase(d => SimulatorLoad.CxoneMessagesAsync(http, app.Sandbox, $"s{run}-{Guid.NewGuid():N}", options.Connections, d, ct));
var junglebookAlone = await Phase(d => SimulatorLoad.JunglebookRepliesAsync(http, app.Sandbox, $"s{run}", replyThreads, options.Connections, d, ct));
report.Add("CXone simulator alone (Digital API, create message)", cxoneAlone.Load, cxoneAlone.Use);
report.Add("Junglebook simulator alone (profile message)", junglebookAlone.Load, junglebookAlone.Use);
await ForgetCxoneMessagesAsync();
await ForgetRepliesAsync();

Console.WriteLine("byoc bench: inbound (signed webhooks → CXone)");
InboundLoad? relayInbound = null, byocInbound = null;
var relayIn = await Phase(d => (relayInbound = new InboundLoad(http, new Uri(app.Relay, "hooks/junglebook/"), $"i{run}-relay-{Guid.NewGuid():N}", options.Threads, Profile.Sandbox)).RunAsync("relay inbound", options.Connections, d, ct));
var relayInboundCheck = await InboundCheck.VerifyAsync(sandbox, relayInbound!, Profile.Sandbox, 0, TimeSpan.FromSeconds(10), ct);
await ForgetCxoneMessagesAsync();
var redisBefore = await Machine.RedisUsedMemoryAsync(app.RedisConnectionString);
var byocIn = await Phase(d => (byocInbound = new InboundLoad(http, new Uri(app.Edge, "hooks/junglebook/"), $"i{run}-byoc-{Guid.NewGuid():N}", options.Threads, Profile.Sandbox)).RunAsync("Byoc inbound", options.Connections, d, ct));
var byocInboundCheck = await InboundCheck.VerifyAsync(sandbox, byocInbound!, Profile.Sandbox, 0, TimeSpan.FromSeconds(120), ct);
var redisAfter = await Machine.RedisUsedMemoryAsync(app.RedisConnectionString);
await ForgetCxoneMessagesAsync();
Console.WriteLine($"  Byoc inbound: {byocInboundCheck}");
report.AddInbound(relayIn.Load, relayIn.Use, byocIn.Load, byocIn.Use, byocInboundCheck, relayInboundCheck, options.Threads, redisAfter - redisBefore);

// The cost of durability before acknowledgement: the same inbound load with Redis fsyncing once a second, as it did
// before (an acknowledged webhook could then be lost with the last second of writes). Conversations checked the
// policy at start, so it goes on acknowledging; the policy is put back afterwards.
Console.WriteLine("byoc bench: inbound again with appendfsync everysec (the earlier, weaker guarantee)");
await Machine.RedisConfigSetAsync(app.RedisConnectionString, "appendfsync", "everysec");
InboundLoad? everysecInbound = null;
var everysecIn = await Phase(d => (everysecInbound = new InboundLoad(http, new Uri(app.Edge, "hooks/junglebook/"), $"i{run}-everysec-{Guid.NewGuid():N}", options.Threads, Profile.Sandbox)).RunAsync("Byoc inbound, everysec", options.Connections, d, ct));
await Machine.RedisConfigSetAsync(app.RedisConnectionString, "appendfsync", "always");
var everysecCheck = await InboundCheck.VerifyAsync(sandbox, everysecInbound!, Profile.Sandbox, 0, TimeSpan.FromSeconds(120), ct);
await ForgetCxoneMessagesAsync();
Console.WriteLine($"  Byoc inbound, everysec: {everysecCheck}");
report.AddInboundVariant("inbound: webhook acknowledged, Redis `appendfsync everysec` (not durable at acknowledgement)", relayIn.Load, everysecIn.Load, everysecIn.Use, everysecCheck, byocIn.Load);

Console.WriteLine("byoc bench: outbound (DFO 3.0 replies → Junglebook)");
OutboundLoad? relayOutbound = null, byocOutbound = null;
var relayOut = await Phase(d => (relayOutbound = new OutboundLoad(http, app.Relay, $"o{run}-relay-{Guid.NewGuid():N}", replyThreads, null, useCxoneThreadIds: false)).RunAsync("relay outbound", options.Connections, d, ct));
var relayOutboundCheck = await OutboundCheck.VerifyAsync(sandbox, relayOutbound!, replyThreads, ct);
await ForgetRepliesAsync();
var byocOut = await Phase(d => (byocOutbound = new OutboundLoad(http, app.Edge, $"o{run}-byoc-{Guid.NewGuid():N}", replyThreads, c => EdgeTokens.FetchAsync(http, app.Edge, c), useCxoneThreadIds: true)).RunAsync("Byoc outbound", options.Connections, d, ct));
var byocOutboundCheck = await OutboundCheck.VerifyAsync(sandbox, byocOutbound!, replyThreads, ct);
await ForgetRepliesAsync();
Console.WriteLine($"  Byoc outbound: {byocOutboundCheck}");
report.AddOutbound(relayOut.Load, relayOut.Use, byocOut.Load, byocOut.Use, byocOutboundCheck, relayOutboundCheck);

Console.WriteLine("byoc bench: tokens");
var tokens = await Phase(d => EdgeTokens.RunAsync(http, app.Edge, options.Connections, d, ct));
report.Add("Byoc token endpoint (client credentials)", tokens.Load, tokens.Use);

Console.WriteLine("byoc bench: idle");
await using (var idle = ProcessMeter.Start(processes))
{
    await Task.Delay(TimeSpan.FromSeconds(10), ct);
    report.AddIdle(TimeSpan.FromSeconds(10), await idle.StopAsync());
}

var markdown = report.ToMarkdown();
Console.WriteLine();
Console.WriteLine(markdown);
if (options.Write is { } file)
{
    Report.WriteBetweenMarkers(file, options.Label, markdown);
    Console.WriteLine($"byoc bench: written to {file}");
}

var correct = byocInboundCheck.ExactlyOnceInOrder && everysecCheck.ExactlyOnceInOrder && byocOutboundCheck.ExactlyOnce;
Console.WriteLine(correct ? "byoc bench: every message exactly once, in order" : "byoc bench: MESSAGES LOST, DUPLICATED OR OUT OF ORDER");
return correct ? 0 : 1;
