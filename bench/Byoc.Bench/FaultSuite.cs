using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Byoc.Testing;

namespace Byoc.Bench;

/// <summary>
/// How big a fault run is: at least <c>MinMessages</c> acknowledged in each direction, each CXone or platform fault
/// lasting <c>Window</c>. <see cref="Full"/> is <c>./byoc faults</c>; <see cref="Brief"/> is <c>./byoc faults --short</c>,
/// with a shorter partition lease, CXone timeout and backoff ceiling so that takeovers and drains fit in seconds.
/// </summary>
public sealed record FaultPlan(string Name, int MinMessages, TimeSpan Window, int Connections, int InboundThreads, int ReplyThreadsPerProfile, int Refused,
    IReadOnlyDictionary<string, string> ConversationsSettings)
{
    public static FaultPlan Full => new("full", 20_000, TimeSpan.FromSeconds(30), 8, 2000, 25, 10, new Dictionary<string, string>());

    public static FaultPlan Brief => new("short", 2_000, TimeSpan.FromSeconds(3), 8, 400, 10, 5, new Dictionary<string, string>
    {
        ["Byoc__Conversations__PartitionLease"] = "00:00:03",
        ["Byoc__Conversations__CxoneTimeout"] = "00:00:02",
        ["Byoc__Conversations__RetryMaxDelay"] = "00:00:02",
    });

    /// <summary>Conversations' timeout for one CXone call under this plan (what a "timeout" fault must outlast).</summary>
    public TimeSpan CxoneTimeout => ConversationsSettings.TryGetValue("Byoc__Conversations__CxoneTimeout", out var t) ? TimeSpan.Parse(t, CultureInfo.InvariantCulture) : TimeSpan.FromSeconds(10);

    public TimeSpan PartitionLease => ConversationsSettings.TryGetValue("Byoc__Conversations__PartitionLease", out var t) ? TimeSpan.Parse(t, CultureInfo.InvariantCulture) : TimeSpan.FromSeconds(10);

    /// <summary>The app model as <see cref="BenchApp"/> starts it, with this plan's settings and the admin API on (for the dead letters).</summary>
    public void Configure(IDistributedApplicationTestingBuilder builder)
    {
        var conversations = builder.CreateResourceBuilder<ProjectResource>("conversations");
        foreach (var (name, value) in ConversationsSettings)
        {
            conversations.WithEnvironment(name, value);
        }

        builder.CreateResourceBuilder<ProjectResource>("edge").WithEnvironment("Edge__Admin__ApiKey", FaultSuite.AdminApiKey);
    }
}

/// <summary>One fault of a run and what it cost.</summary>
public sealed record FaultOutcome(
    string Name, DateTimeOffset StartedAt, DateTimeOffset FlowingAt, TimeSpan Lasted, TimeSpan? Recovery, TimeSpan FlowingAgain, long WebhooksAcknowledged, long RepliesAcknowledged, int Reposts,
    IReadOnlyDictionary<string, int> SenderRetries, int? FaultedCalls);

/// <summary>Outbound under faults: each acknowledged reply once on Junglebook, or told failed to CXone; each worker's replies in order.</summary>
public sealed record OutboundFaultCheck(int Acknowledged, int Delivered, int Lost, int Duplicated, int OutOfOrder, int ReportedFailed, int ReportedFailedButDelivered, int Unacknowledged,
    IReadOnlyList<string> DuplicatedReplies)
{
    public bool ExactlyOnceInOrder => Lost == 0 && Duplicated == 0 && OutOfOrder == 0;

    public override string ToString() =>
        $"{Acknowledged} acknowledged, {Delivered} on Junglebook, {Lost} lost, {Duplicated} duplicated, {OutOfOrder} out of order, {ReportedFailed} told failed to CXone (not on Junglebook), {ReportedFailedButDelivered} told failed yet delivered once, {Unacknowledged} delivered but not acknowledged";

    public static async Task<OutboundFaultCheck> VerifyAsync(SandboxClient sandbox, OutboundLoad load, IReadOnlyList<ReplyThread> threads, CancellationToken cancellationToken)
    {
        var acknowledged = load.Acknowledged.ToHashSet(StringComparer.Ordinal);
        var prefix = load.Tag + " ";
        var delivered = new Dictionary<string, int>(StringComparer.Ordinal);
        var outOfOrder = 0;
        foreach (var thread in threads)
        {
            using var view = JsonDocument.Parse(await sandbox.Http.GetStringAsync($"/junglebook/customer/threads/{thread.JunglebookThreadId}", cancellationToken));
            var lastByWorker = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var post in view.RootElement.GetProperty("messages").EnumerateArray())
            {
                if (post.GetProperty("text").GetString() is not { } text || !text.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                delivered[text] = delivered.GetValueOrDefault(text) + 1;
                // "{tag} {worker} {n}": a worker sends its next reply only once the previous one was acknowledged.
                var parts = text.Split(' ');
                var n = long.Parse(parts[2], CultureInfo.InvariantCulture);
                if (lastByWorker.TryGetValue(parts[1], out var last) && n <= last)
                {
                    outOfOrder++;
                }

                lastByWorker[parts[1]] = Math.Max(last, n);
            }
        }

        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var profile in threads.Select(t => t.Profile).Distinct())
        {
            foreach (var status in await sandbox.StatusesAsync(profile.ChannelId))
            {
                if (status.GetProperty("status").GetString() == "failed")
                {
                    failed.Add(status.GetProperty("messageIdOnExternalPlatform").GetString()!);
                }
            }
        }

        bool ToldFailed(string text) => load.MessageIds.TryGetValue(text, out var id) && failed.Contains(id);
        return new OutboundFaultCheck(
            acknowledged.Count,
            delivered.Values.Sum(),
            acknowledged.Count(a => !delivered.ContainsKey(a) && !ToldFailed(a)),
            delivered.Values.Count(c => c > 1),
            outOfOrder,
            acknowledged.Count(a => !delivered.ContainsKey(a) && ToldFailed(a)),
            acknowledged.Count(a => delivered.GetValueOrDefault(a) == 1 && ToldFailed(a)),
            delivered.Keys.Count(d => !acknowledged.Contains(d)),
            [.. delivered.Where(d => d.Value > 1).Select(d => d.Key).Order(StringComparer.Ordinal)]);
    }
}

/// <summary>Everything a fault run found.</summary>
public sealed record FaultRunResult(
    FaultPlan Plan, IReadOnlyList<FaultOutcome> Faults, InboundCheck Inbound, OutboundFaultCheck Outbound, long WebhooksSent, long RepliesSent,
    int RefusedAcknowledged, IReadOnlyList<string> RefusedIds, IReadOnlyList<string> DeadLetterIds, int Reposts, TimeSpan Drain, TimeSpan Elapsed,
    IReadOnlyDictionary<string, int> WebhookRetries, IReadOnlyDictionary<string, int> ReplyRetries, IReadOnlyDictionary<string, int> CxoneFaultsApplied, int PlatformCallsRefused,
    IReadOnlyList<string> DuplicateTrails, IReadOnlyDictionary<string, IReadOnlyList<string>> ServerErrorSamples, IReadOnlyList<string> EdgeErrors,
    IReadOnlyList<string> LostWebhooks, IReadOnlyList<string> PendingAfter)
{
    /// <summary>The dead letters hold exactly the messages CXone refused for good, each once.</summary>
    public bool DeadLettersExact =>
        DeadLetterIds.Count == RefusedIds.Count && DeadLetterIds.ToHashSet(StringComparer.Ordinal).SetEquals(RefusedIds) && RefusedIds.Count == RefusedAcknowledged;

    /// <summary>Answers a platform or CXone must never get for an outage: a 5xx other than 503 (500, 502, 504).</summary>
    public IReadOnlyDictionary<string, int> ServerErrors =>
        WebhookRetries.Concat(ReplyRetries).Where(p => p.Key.Length == 3 && p.Key[0] == '5' && p.Key != "503")
            .GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));

    /// <summary>
    /// No 500 or 502: an outage is answered 503 (or, while a process is down, not at all). A 504 — the Edge gave up
    /// waiting for Conversations, the outcome unknown to it — is reported but allowed: CXone retries it under the same key.
    /// </summary>
    public bool NoServerErrors => ServerErrors.Keys.All(k => k == "504");

    /// <summary>Every CXone or platform window answered at least one call: a window nothing went through tried nothing.</summary>
    public bool EveryWindowTried => Faults.All(f => f.FaultedCalls is null or > 0);

    public bool Passed => EveryWindowTried && Inbound.ExactlyOnceInOrder && Inbound.Unacknowledged == 0 && Outbound.ExactlyOnceInOrder && Outbound.Unacknowledged == 0 && DeadLettersExact && NoServerErrors;

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Fault run ({Plan.Name} form): {Elapsed.TotalSeconds:0} s, inbound and outbound load at once ({Plan.Connections} connections each, {Plan.InboundThreads} webhook threads, {Plan.ReplyThreadsPerProfile * 2} reply threads), fault windows of {Plan.Window.TotalSeconds:0} s.");
        text.AppendLine();
        text.AppendLine("| fault | lasted | back healthy | flowing again (acknowledged and at CXone) | calls the fault answered | webhooks acknowledged meanwhile | replies acknowledged meanwhile | re-posts to CXone | what the senders got meanwhile |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var f in Faults)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {f.Name} | {f.Lasted.TotalSeconds:0.0} s | {(f.Recovery is { } r ? $"{r.TotalSeconds:0.0} s" : "—")} | {f.FlowingAgain.TotalSeconds:0.0} s | {(f.FaultedCalls is { } c ? c.ToString("N0", CultureInfo.InvariantCulture) : "—")} | {f.WebhooksAcknowledged:N0} | {f.RepliesAcknowledged:N0} | {f.Reposts} | {Describe(f.SenderRetries)} |");
        }

        text.AppendLine();
        text.AppendLine("| direction | sent | acknowledged | delivered | lost | duplicated | out of order | other |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| inbound (webhooks → CXone) | {WebhooksSent:N0} | {Inbound.Acknowledged + RefusedAcknowledged:N0} | {Inbound.Arrived:N0} | {Inbound.Lost} | {Inbound.Duplicated} | {Inbound.OutOfOrder} | {RefusedAcknowledged} refused for good by CXone; {Inbound.Redelivered} re-posts absorbed by CXone's upsert |");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| outbound (replies → Junglebook) | {RepliesSent:N0} | {Outbound.Acknowledged:N0} | {Outbound.Delivered:N0} | {Outbound.Lost} | {Outbound.Duplicated} | {Outbound.OutOfOrder} | {Outbound.ReportedFailed} told failed to CXone (outcome unknown, not sent again) |");
        text.AppendLine();
        if (!EveryWindowTried)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- NOT TRIED: {string.Join(", ", Faults.Where(f => f.FaultedCalls == 0).Select(f => f.Name))} answered no call.");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"- Dead letters: {DeadLetterIds.Count} (CXone refused {RefusedIds.Count} distinct messages for good; {RefusedAcknowledged} marked messages were acknowledged): {(DeadLettersExact ? "exactly the refused ones" : "MISMATCH")}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Re-posts to CXone (an idOnExternalPlatform posted again): {Reposts}; backlog drained {Drain.TotalSeconds:0} s after the last fault.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- CXone faults answered: {Describe(CxoneFaultsApplied)}; Junglebook API calls refused by its outage: {PlatformCallsRefused:N0}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Webhook senders were answered (before an acknowledgement): {Describe(WebhookRetries)}; reply senders: {Describe(ReplyRetries)}{(NoServerErrors ? "" : " — SERVER ERRORS")}.");
        foreach (var trail in DuplicateTrails)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- Duplicated reply: {trail}");
        }

        foreach (var lost in LostWebhooks)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- Lost webhook: {lost}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"- Inbound entries still pending in Redis after the checks: {(PendingAfter.Count == 0 ? "none" : string.Join("; ", PendingAfter))}.");

        foreach (var (answer, samples) in ServerErrorSamples)
        {
            foreach (var sample in samples)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- A {answer} answer's body: `{sample.ReplaceLineEndings(" ")}`");
            }
        }

        if (EdgeErrors.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("The Edge's error log:");
            text.AppendLine();
            text.AppendLine("```");
            foreach (var line in EdgeErrors)
            {
                text.AppendLine(line);
            }

            text.AppendLine("```");
        }

        return text.ToString();
    }

    internal static string Describe(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "nothing else" : string.Join(", ", counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} × {p.Value:N0}"));
}

/// <summary>
/// The fault suite: webhooks and agent replies at once, senders retrying (same ids, per-thread order) as a platform
/// and CXone do, while faults happen one after another — kill -9 of a Conversations replica with two running, of the
/// last one, of the Edge, of the connector and of redis-server (each started again through Aspire), CXone answering
/// 429 with Retry-After, 500s and timeouts for a window each, the platform down for a window — with a few messages
/// CXone refuses for good throughout. Then every acknowledged message is checked.
/// </summary>
public static class FaultSuite
{
    public const string AdminApiKey = "fault-suite-admin-key-0123456789";

    public static async Task<FaultRunResult> RunAsync(BenchApp app, FaultPlan plan, Action<string> log, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = plan.Connections * 2, UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        var sandbox = new SandboxClient(app.Sandbox);
        await using var resources = new AppResources(app.App);
        await resources.RunningAsync("conversations", 2, TimeSpan.FromSeconds(60));
        await resources.RunningAsync("edge", 1, TimeSpan.FromSeconds(60));
        var edgeErrors = resources.WatchErrors("edge");
        var profiles = Profile.Sandbox;
        var tag = $"f{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}";

        // Refused for good, all run long: CXone answers 400 to every message carrying the marker.
        await PostAsync(sandbox, "/sandbox/cxone/faults", new { kind = "status", statusCode = 400, forSeconds = 86_400, pathContains = "/messages", bodyContains = InboundLoad.RefuseMarker }, cancellationToken);
        var replyThreads = await OutboundLoad.OpenThreadsAsync(sandbox, $"{tag}-open", profiles, plan.ReplyThreadsPerProfile, TimeSpan.FromSeconds(120), cancellationToken);
        var repostsBefore = await RepostsAsync(sandbox, cancellationToken);
        var updatesBefore = await UpdatesAsync(sandbox, profiles, cancellationToken);

        var spacing = Math.Max(1, plan.InboundThreads / plan.Refused);
        var inbound = new InboundLoad(http, new Uri(app.Edge, "hooks/junglebook/"), $"{tag}-in", plan.InboundThreads, profiles,
            retryFor: TimeSpan.FromMinutes(10), refuse: (thread, sequence) => sequence == 2 && thread % spacing == 0 && thread / spacing < plan.Refused);
        var outbound = new OutboundLoad(http, app.Edge, $"{tag}-out", replyThreads, ct => EdgeTokens.FetchAsync(http, app.Edge, ct), useCxoneThreadIds: true,
            retryFor: TimeSpan.FromMinutes(10));
        var inboundRun = inbound.RunAsync("inbound under faults", plan.Connections, TimeSpan.FromHours(2), cancellationToken);
        var outboundRun = outbound.RunAsync("outbound under faults", plan.Connections, TimeSpan.FromHours(2), cancellationToken);
        log($"load under way: {plan.Connections} webhook senders over {plan.InboundThreads} threads, {plan.Connections} reply senders over {replyThreads.Count} threads");
        await FlowingAsync(inbound, outbound, 200, TimeSpan.FromMinutes(2));

        var faults = new List<FaultOutcome>();
        async Task Fault(string name, Func<Task<TimeSpan?>> fault, bool window = false)
        {
            var webhooks = Acknowledged(inbound);
            var replies = outbound.AcknowledgedCount;
            var retries = Merge(Prefixed("webhooks", inbound.Retried), Prefixed("replies", outbound.Retried));
            var reposts = await RepostsAsync(sandbox, cancellationToken);
            var faulted = await FaultedCallsAsync(sandbox, cancellationToken);
            log($"fault: {name}");
            var startedAt = DateTimeOffset.UtcNow;
            var started = clock.Elapsed;
            var recovery = await fault();
            var lasted = clock.Elapsed - started;
            // Flowing again: the senders are acknowledged, and CXone stores messages again (a backlog in backoff
            // would otherwise sleep through the next window, which then tries nothing).
            var stored = await StoredAsync(sandbox, cancellationToken);
            await FlowingAsync(inbound, outbound, 20, TimeSpan.FromMinutes(3));
            await Poll.UntilAsync(async () => await StoredAsync(sandbox, cancellationToken) >= stored + 20, TimeSpan.FromMinutes(3), "CXone stores messages again");
            var flowing = clock.Elapsed - started;
            var outcome = new FaultOutcome(name, startedAt, DateTimeOffset.UtcNow, lasted, recovery, flowing, Acknowledged(inbound) - webhooks, outbound.AcknowledgedCount - replies,
                await RepostsAsync(sandbox, cancellationToken) - reposts, Subtract(Merge(Prefixed("webhooks", inbound.Retried), Prefixed("replies", outbound.Retried)), retries),
                window ? await FaultedCallsAsync(sandbox, cancellationToken) - faulted : null);
            faults.Add(outcome);
            log($"  {outcome.Lasted.TotalSeconds:0.0} s, flowing again after {outcome.FlowingAgain.TotalSeconds:0.0} s, {outcome.Reposts} re-posts, senders got {FaultRunResult.Describe(outcome.SenderRetries)}");
        }

        async Task<TimeSpan?> KillAndStart(params ResourceInstance[] instances)
        {
            var killedAt = Stopwatch.StartNew();
            foreach (var instance in instances)
            {
                AppResources.Kill(instance);
            }

            await Task.WhenAll(instances.Select(i => resources.StartAgainAsync(i, TimeSpan.FromMinutes(2))));
            return killedAt.Elapsed;
        }

        await Fault("kill -9 of a Conversations replica (two running)", async () =>
            await KillAndStart((await resources.RunningAsync("conversations", 2, TimeSpan.FromSeconds(60)))[0]));
        await Fault("kill -9 of the last running Conversations replica (one running)", async () =>
        {
            var replicas = await resources.RunningAsync("conversations", 2, TimeSpan.FromSeconds(60));
            var downAt = Stopwatch.StartNew();
            AppResources.Kill(replicas[0]);
            // The survivor takes every partition over (a lease lapses first) and carries the load alone for a while.
            await Task.Delay(Max(plan.Window, plan.PartitionLease + TimeSpan.FromSeconds(2)), cancellationToken);
            AppResources.Kill(replicas[1]);
            await Task.WhenAll(replicas.Select(r => resources.StartAgainAsync(r, TimeSpan.FromMinutes(2))));
            return downAt.Elapsed;
        });
        await Fault("kill -9 of the Edge", async () => await KillAndStart((await resources.RunningAsync("edge", 1, TimeSpan.FromSeconds(60)))[0]));
        await Fault("kill -9 of the Junglebook connector", async () => await KillAndStart((await resources.RunningAsync("connector-junglebook", 1, TimeSpan.FromSeconds(60)))[0]));
        await Fault("kill -9 of redis-server (appendonly, appendfsync always)", async () => await KillAndStart((await resources.RunningAsync("redis", 1, TimeSpan.FromSeconds(60)))[0]));
        await Fault($"CXone answers 429 with Retry-After: 1 for {plan.Window.TotalSeconds:0} s", () =>
            Window(sandbox, new { kind = "status", statusCode = 429, retryAfterSeconds = 1, forSeconds = plan.Window.TotalSeconds, pathContains = "/dfo/" }, plan.Window, cancellationToken), window: true);
        await Fault($"CXone answers 500 for {plan.Window.TotalSeconds:0} s", () =>
            Window(sandbox, new { kind = "status", statusCode = 500, forSeconds = plan.Window.TotalSeconds, pathContains = "/dfo/" }, plan.Window, cancellationToken), window: true);
        var hang = plan.CxoneTimeout + TimeSpan.FromSeconds(2);
        await Fault($"CXone answers after {hang.TotalSeconds:0} s (Byoc's timeout: {plan.CxoneTimeout.TotalSeconds:0} s) for {plan.Window.TotalSeconds:0} s", () =>
            Window(sandbox, new { kind = "delay", delayMilliseconds = (int)hang.TotalMilliseconds, forSeconds = plan.Window.TotalSeconds, pathContains = "/dfo/" }, plan.Window + hang, cancellationToken), window: true);
        await Fault($"Junglebook's API down (503, Retry-After: 1) for {plan.Window.TotalSeconds:0} s", () =>
            Window(sandbox, "/sandbox/junglebook/outage", new { forSeconds = plan.Window.TotalSeconds, statusCode = 503, retryAfterSeconds = 1 }, plan.Window, cancellationToken), window: true);
        var lastFaultEnded = clock.Elapsed;

        // Both directions on until each has its share, then every sender finishes the message it is on.
        await Poll.UntilAsync(() => Task.FromResult(Acknowledged(inbound) >= plan.MinMessages && outbound.AcknowledgedCount >= plan.MinMessages),
            TimeSpan.FromMinutes(20), $"{plan.MinMessages} messages acknowledged in each direction");
        inbound.Stop();
        outbound.Stop();
        await Task.WhenAll(inboundRun, outboundRun);
        log($"load stopped: {Acknowledged(inbound):N0} webhooks and {outbound.AcknowledgedCount:N0} replies acknowledged; checking");

        var inboundCheck = await InboundCheck.VerifyAsync(sandbox, inbound, profiles, updatesBefore, TimeSpan.FromMinutes(10), cancellationToken);
        var drain = clock.Elapsed - lastFaultEnded;
        var outboundCheck = await OutboundFaultCheck.VerifyAsync(sandbox, outbound, replyThreads, cancellationToken);
        var refusedAcknowledged = inbound.Sent.Count(s => s.Acknowledged && inbound.IsRefused(s.Thread, s.Sequence));
        var refusedIds = await RefusedIdsAsync(sandbox, cancellationToken);
        // A refused message's dead letter is written right after CXone's answer: poll briefly for the last ones.
        IReadOnlyList<string> deadLetters = [];
        await Poll.UntilAsync(async () => (deadLetters = await DeadLetterIdsAsync(http, app.Edge, cancellationToken)).Count >= refusedIds.Count, TimeSpan.FromSeconds(30), "the dead letters are written");
        var stats = await sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/stats", cancellationToken);
        var outage = await sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/junglebook/outage", cancellationToken);
        return new FaultRunResult(plan, faults, inboundCheck, outboundCheck, inbound.Sent.Count, outbound.AcknowledgedCount, refusedAcknowledged, refusedIds, deadLetters,
            await RepostsAsync(sandbox, cancellationToken) - repostsBefore, drain, clock.Elapsed, inbound.Retried.ToDictionary(), outbound.Retried.ToDictionary(),
            stats.GetProperty("faultsApplied").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()), outage.GetProperty("refused").GetInt32(),
            [.. outboundCheck.DuplicatedReplies.Select(r => Trail(r, outbound.Answers.Of(r), faults))],
            Prefixed("webhooks", inbound.Answers.ServerErrorSamples).Concat(Prefixed("replies", outbound.Answers.ServerErrorSamples)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            [.. edgeErrors],
            [.. inboundCheck.LostMessages.Take(50).Select(m => $"thread {m.Thread}, message {m.Sequence}, sent at {DateTimeOffset.FromUnixTimeMilliseconds(m.SentAtMs):HH:mm:ss.fff} ({During(DateTimeOffset.FromUnixTimeMilliseconds(m.SentAtMs), faults)})")],
            await PendingAsync(app.RedisConnectionString));
    }

    /// <summary>The fault under way at <paramref name="at"/> (from its start until it was flowing again), if any.</summary>
    private static string During(DateTimeOffset at, IReadOnlyList<FaultOutcome> faults) =>
        faults.FirstOrDefault(f => at >= f.StartedAt && at <= f.FlowingAt)?.Name ?? "no fault";

    /// <summary>
    /// Each inbound stream's pending entries by consumer. Once everything arrived none should be left; an entry left
    /// in the pending list of a replica that no longer owns its partition is one nobody delivers.
    /// </summary>
    private static async Task<IReadOnlyList<string>> PendingAsync(string redisConnectionString)
    {
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redisConnectionString);
        var db = redis.GetDatabase();
        var found = new List<string>();
        foreach (var server in redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: "byoc:v1:{p:*}:inbound"))
            {
                var pending = await db.StreamPendingAsync(key, "deliver");
                foreach (var consumer in pending.Consumers.Where(c => c.PendingMessageCount > 0))
                {
                    found.Add($"{key}: {consumer.PendingMessageCount} with {consumer.Name} (lease: {await db.StringGetAsync(key.ToString().Replace(":inbound", ":lease", StringComparison.Ordinal))})");
                }
            }
        }

        return found;
    }

    private static long Acknowledged(InboundLoad load) => load.AcknowledgedCount;

    /// <summary>A duplicated reply's answers before its acknowledgement, each with the fault it fell in.</summary>
    private static string Trail(string reply, IReadOnlyList<(DateTimeOffset At, string Answer)> answers, IReadOnlyList<FaultOutcome> faults)
    {
        return answers.Count == 0
            ? $"`{reply}`: acknowledged at the first attempt"
            : $"`{reply}`: " + string.Join("; ", answers.Select(a => $"{a.Answer} at {a.At:HH:mm:ss.fff} ({During(a.At, faults)})"));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Until both directions have acknowledged <paramref name="more"/> messages more than now.</summary>
    private static Task FlowingAsync(InboundLoad inbound, OutboundLoad outbound, int more, TimeSpan timeout)
    {
        var webhooks = Acknowledged(inbound);
        var replies = outbound.AcknowledgedCount;
        return Poll.UntilAsync(() => Task.FromResult(Acknowledged(inbound) >= webhooks + more && outbound.AcknowledgedCount >= replies + more), timeout,
            "webhooks and replies are acknowledged again");
    }

    private static Task<TimeSpan?> Window(SandboxClient sandbox, object fault, TimeSpan lasts, CancellationToken cancellationToken) =>
        Window(sandbox, "/sandbox/cxone/faults", fault, lasts, cancellationToken);

    private static async Task<TimeSpan?> Window(SandboxClient sandbox, string path, object fault, TimeSpan lasts, CancellationToken cancellationToken)
    {
        await PostAsync(sandbox, path, fault, cancellationToken);
        // The window is the fault: nothing to poll for, it ends by itself.
        await Task.Delay(lasts, cancellationToken);
        return null;
    }

    private static async Task PostAsync(SandboxClient sandbox, string path, object body, CancellationToken cancellationToken) =>
        (await sandbox.Http.PostAsJsonAsync(path, body, cancellationToken)).EnsureSuccessStatusCode();

    /// <summary>Messages CXone stores, all channels.</summary>
    private static async Task<int> StoredAsync(SandboxClient sandbox, CancellationToken cancellationToken) =>
        (await sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/stats", cancellationToken)).GetProperty("messagesByChannel").EnumerateObject().Sum(p => p.Value.GetInt32());

    /// <summary>Calls a fault window answered so far: CXone's (all but the refusals for good, which run throughout) and Junglebook's outage.</summary>
    private static async Task<int> FaultedCallsAsync(SandboxClient sandbox, CancellationToken cancellationToken)
    {
        var cxone = (await sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/stats", cancellationToken)).GetProperty("faultsApplied").EnumerateObject()
            .Where(p => p.Name != "status 400").Sum(p => p.Value.GetInt32());
        var platform = (await sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/junglebook/outage", cancellationToken)).GetProperty("refused").GetInt32();
        return cxone + platform;
    }

    private static async Task<int> RepostsAsync(SandboxClient sandbox, CancellationToken cancellationToken) =>
        (await sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/stats", cancellationToken)).GetProperty("repeatedMessagesByChannel").EnumerateObject().Sum(p => p.Value.GetInt32());

    private static async Task<int> UpdatesAsync(SandboxClient sandbox, IReadOnlyList<Profile> profiles, CancellationToken cancellationToken)
    {
        var updates = 0;
        foreach (var profile in profiles)
        {
            updates += (await sandbox.MessagesAsync(profile.ChannelId)).GetProperty("updates").GetInt32();
        }

        return updates;
    }

    private static async Task<IReadOnlyList<string>> RefusedIdsAsync(SandboxClient sandbox, CancellationToken cancellationToken) =>
        [.. (await sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/faults/refusals", cancellationToken)).EnumerateArray()
            .Select(r => r.GetProperty("idOnExternalPlatform").GetString()!).Distinct(StringComparer.Ordinal)];

    /// <summary>Every dead letter's message id, through the admin API (<c>/admin/api/dead-letters</c>, page by page).</summary>
    private static async Task<IReadOnlyList<string>> DeadLetterIdsAsync(HttpClient http, Uri edge, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(edge, $"admin/api/dead-letters?pageSize=500&order=oldest{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}"));
            request.Headers.Add("X-Api-Key", AdminApiKey);
            using var response = await http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            ids.AddRange(page.RootElement.GetProperty("deadLetters").EnumerateArray().Select(d => d.GetProperty("messageId").GetString()!));
            cursor = page.RootElement.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String && next.GetString() is { Length: > 0 } c ? c : null;
        }
        while (cursor is not null);

        return ids;
    }

    private static Dictionary<string, T> Prefixed<T>(string what, IReadOnlyDictionary<string, T> counts) =>
        counts.ToDictionary(p => $"{what} {p.Key}", p => p.Value, StringComparer.Ordinal);

    private static Dictionary<string, int> Merge(IReadOnlyDictionary<string, int> a, IReadOnlyDictionary<string, int> b) =>
        a.Concat(b).GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(p => p.Value), StringComparer.Ordinal);

    private static Dictionary<string, int> Subtract(Dictionary<string, int> now, Dictionary<string, int> before) =>
        now.Select(p => (p.Key, Value: p.Value - before.GetValueOrDefault(p.Key))).Where(p => p.Value > 0).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
