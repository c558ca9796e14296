namespace Byoc.Bench;

/// <summary>
/// <c>bench/run --faults [--short]</c>: starts the app model, runs <see cref="FaultSuite"/>
/// (the full form: at least 20,000 messages each way, 30 s windows; <c>--short</c>: the brief form), prints the report
/// and writes it to <c>.artifacts/faults/{form}.md</c>. Exit code 0 only when every check held.
/// </summary>
public static class FaultCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var plan = args.Contains("--short") ? FaultPlan.Brief : FaultPlan.Full;
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.WriteLine($"byoc faults: starting the app model ({plan.Name} form)");
        await using var app = await BenchApp.StartAsync(dashboard: false, perfMap: false, stop.Token, plan.Configure);
        var sandbox = new Byoc.Testing.SandboxClient(app.Sandbox);
        await Byoc.Testing.Poll.UntilAsync(async () => (await sandbox.ChannelIdsAsync()).Count == Profile.Sandbox.Count, TimeSpan.FromSeconds(60), "the Junglebook profiles are points of contact at CXone");
        var result = await FaultSuite.RunAsync(app, plan, line => Console.WriteLine($"  {DateTimeOffset.UtcNow:HH:mm:ss} {line}"), stop.Token);
        var markdown = result.ToMarkdown();
        Console.WriteLine();
        Console.WriteLine(markdown);
        var file = Path.Combine(Byoc.Testing.ServiceBuild.RepoRoot, ".artifacts", "faults", $"{plan.Name}.md");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, markdown);
        Console.WriteLine($"byoc faults: written to {Path.GetRelativePath(Byoc.Testing.ServiceBuild.RepoRoot, file)}");
        Console.WriteLine(result.Passed
            ? "byoc faults: every acknowledged message delivered exactly once, in order; the dead letters are exactly the refused messages; no 500"
            : "byoc faults: CHECKS FAILED (see the tables above)");
        return result.Passed ? 0 : 1;
    }
}
