using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace Byoc.Bench;

public sealed record BenchOptions(TimeSpan Duration, int Connections, int Threads, string Label, string? Write, bool Dashboard, string? Only = null, bool PerfMap = false, TimeSpan? WarmupOption = null)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(TimeSpan.FromSeconds(15), 16, 2000, "latest", null, false);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--duration" => options with { Duration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--connections" => options with { Connections = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--threads" => options with { Threads = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--label" => options with { Label = Next() },
                "--write" => options with { Write = Next() },
                "--dashboard" => options with { Dashboard = true },
                "--only" => options with { Only = Next() },
                "--perf-map" => options with { PerfMap = true },
                "--warmup" => options with { WarmupOption = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options;
    }

    /// <summary>
    /// Load before each measured phase, not measured: under load on two cores the JIT needs about 20 s to bring a
    /// service's hot paths to their final tier (dotnet-counters: 3.5 s of JIT time in the first 5 s, under 0.1 s per
    /// 5 s after 20 s), and a production process runs for days.
    /// </summary>
    public TimeSpan Warmup => WarmupOption ?? TimeSpan.FromSeconds(20);

    public string CommandLine => string.Create(CultureInfo.InvariantCulture,
        $"bench/run --duration {Duration.TotalSeconds:0} --warmup {Warmup.TotalSeconds:0} --connections {Connections} --threads {Threads}{(Dashboard ? " --dashboard" : "")}");
}

public static class Machine
{
    public static string Describe(string redisVersion)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores ({cpu}), {long.Parse(memory, CultureInfo.InvariantCulture) / 1024 / 1024} GiB, Linux {kernel}, .NET {Environment.Version}, redis-server {redisVersion}; every process on this one machine");
    }

    public static async Task<string> RedisVersionAsync(string connectionString)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString);
        return redis.GetServers()[0].Version.ToString();
    }

    public static async Task RedisConfigSetAsync(string connectionString, string setting, string value)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
        await redis.GetServers()[0].ConfigSetAsync(setting, value);
    }

    public static async Task<long> RedisUsedMemoryAsync(string connectionString)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
        var info = await redis.GetServers()[0].InfoAsync("memory");
        return long.Parse(info.SelectMany(g => g).First(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);
    }
}

/// <summary>The report: throughput and latency against the relay, correctness, and what each process used.</summary>
public sealed class Report(BenchOptions options, string machine)
{

    private readonly List<string> _rows = [];
    private readonly List<string> _notes = [];
    private readonly List<(string Phase, double Messages, IReadOnlyList<ProcessUse> Use)> _phases = [];

    public void Add(string path, LoadResult load, IReadOnlyList<ProcessUse> use)
    {
        _rows.Add(Row(path, null, load));
        _phases.Add((path, load.Succeeded, use));
    }

    public void AddInbound(LoadResult relay, IReadOnlyList<ProcessUse> relayUse, LoadResult byoc, IReadOnlyList<ProcessUse> byocUse, InboundCheck check, InboundCheck relayCheck, int threads, long redisBytes)
    {
        _rows.Add(Row("inbound: webhook acknowledged", relay, byoc));
        _rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| inbound: end to end (webhook sent → stored at CXone) | — | — | — | {Ms(check.EndToEnd)} | (the relay acknowledges after CXone: its end to end is its acknowledgement) |"));
        _phases.Add(("relay inbound", relay.Succeeded, relayUse));
        _phases.Add(("Byoc inbound", byoc.Succeeded, byocUse));
        _notes.Add($"Byoc inbound, checked at CXone: {check}. Relay inbound: {relayCheck}.");
        _notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"Redis memory: used_memory grew {redisBytes / 1024.0 / 1024.0:0.0} MiB over the Byoc inbound run ({threads} threads, {check.Acknowledged} messages: streams with their 1 h retention, the id map, dedup marks, timelines), {redisBytes / (double)threads * 10_000 / 1024 / 1024:0.0} MiB per 10,000 threads at {check.Acknowledged / (double)threads:0.0} messages each."));
    }

    /// <summary>The inbound load again under another setting, against the same run's relay and durable Byoc figure.</summary>
    public void AddInboundVariant(string path, LoadResult relay, LoadResult variant, IReadOnlyList<ProcessUse> use, InboundCheck check, LoadResult durable)
    {
        _rows.Add(Row(path, relay, variant));
        _phases.Add(("Byoc inbound, everysec", variant.Succeeded, use));
        _notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"Byoc inbound with `appendfsync everysec`, checked at CXone: {check}. Durable acknowledgement (`appendfsync always`) ÷ everysec: {durable.PerSecond / variant.PerSecond:0.00} of the throughput, p99 {durable.Latencies.P99:0.0} against {variant.Latencies.P99:0.0} ms."));
    }

    public void AddOutbound(LoadResult relay, IReadOnlyList<ProcessUse> relayUse, LoadResult byoc, IReadOnlyList<ProcessUse> byocUse, OutboundCheck check, OutboundCheck relayCheck)
    {
        _rows.Add(Row("outbound: DFO 3.0 reply delivered to the platform", relay, byoc));
        _phases.Add(("relay outbound", relay.Succeeded, relayUse));
        _phases.Add(("Byoc outbound", byoc.Succeeded, byocUse));
        _notes.Add($"Byoc outbound, checked on Junglebook: {check}. Relay outbound: {relayCheck}.");
    }

    public void AddIdle(TimeSpan duration, IReadOnlyList<ProcessUse> use) => _phases.Add(($"idle ({duration.TotalSeconds:0} s)", -duration.TotalSeconds, use));

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"### {options.Label}: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`{options.CommandLine}` on {machine}. Release build; closed loop, {options.Connections} connections, {options.Duration.TotalSeconds:0} s per phase after {options.Warmup.TotalSeconds:0} s of the same load unmeasured; the sandbox plays CXone and Junglebook; telemetry {(options.Dashboard ? "exported to the dashboard" : "not exported (no dashboard)")}.");
        md.AppendLine();
        md.AppendLine("| path | relay /s | Byoc (or simulator alone) /s | Byoc ÷ relay | Byoc p50 / p99 / p999 ms | relay p50 / p99 / p999 ms |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var row in _rows)
        {
            md.AppendLine(row);
        }

        md.AppendLine();
        foreach (var note in _notes)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }

        md.AppendLine();
        md.AppendLine("What each process used: peak RSS in MB, and CPU milliseconds per message (per second of wall time when idle).");
        md.AppendLine();
        var names = _phases.SelectMany(p => p.Use.Select(u => u.Name)).Distinct().ToList();
        md.AppendLine("| process | " + string.Join(" | ", _phases.Select(p => p.Phase)) + " |");
        md.AppendLine("|---|" + string.Concat(_phases.Select(_ => "---|")));
        foreach (var name in names)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {name} |");
            foreach (var (_, messages, use) in _phases)
            {
                var u = use.FirstOrDefault(x => x.Name == name);
                var cpu = u is null ? "" : messages < 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{u.Cpu.TotalMilliseconds / -messages / 10:0.0} % core")
                    : string.Create(CultureInfo.InvariantCulture, $"{(messages == 0 ? 0 : u.Cpu.TotalMilliseconds / messages):0.000} ms");
                md.Append(u is null ? " |" : string.Create(CultureInfo.InvariantCulture, $" {u.PeakRssBytes / 1024 / 1024} MB, {cpu} |"));
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    /// <summary>Puts <paramref name="markdown"/> between this label's markers in <paramref name="file"/> (appended when they are missing).</summary>
    public static void WriteBetweenMarkers(string file, string label, string markdown)
    {
        var begin = $"<!-- bench:begin {label} -->";
        var end = $"<!-- bench:end {label} -->";
        var text = File.Exists(file) ? File.ReadAllText(file) : "";
        var block = $"{begin}\n{markdown.TrimEnd()}\n{end}";
        var at = text.IndexOf(begin, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        text = at >= 0 && to > at ? string.Concat(text.AsSpan(0, at), block, text.AsSpan(to + end.Length)) : text.TrimEnd() + "\n\n" + block + "\n";
        File.WriteAllText(file, text);
    }

    private static string Row(string path, LoadResult? relay, LoadResult byoc) => string.Create(CultureInfo.InvariantCulture,
        $"| {path} | {(relay is null ? "—" : relay.PerSecond.ToString("0", CultureInfo.InvariantCulture))} | {byoc.PerSecond:0}{(byoc.Failed > 0 ? $" ({byoc.Failed} failed)" : "")} | {(relay is null ? "—" : $"{byoc.PerSecond / relay.PerSecond:0.00}")} | {Ms(byoc.Latencies)} | {(relay is null ? "—" : Ms(relay.Latencies))} |");

    private static string Ms(Latencies l) => string.Create(CultureInfo.InvariantCulture, $"{l.P50:0.0} / {l.P99:0.0} / {l.P999:0.0}");
}
