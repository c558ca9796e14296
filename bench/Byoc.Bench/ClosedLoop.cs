using System.Diagnostics;

namespace Byoc.Bench;

/// <summary>What one closed-loop run measured: requests answered, failures, and each answer's latency.</summary>
public sealed record LoadResult(string Name, TimeSpan Elapsed, long Succeeded, long Failed, Latencies Latencies)
{
    public double PerSecond => Succeeded / Elapsed.TotalSeconds;
}

/// <summary>Latencies in milliseconds, sorted, with the percentiles a report gives.</summary>
public sealed class Latencies
{
    private readonly double[] _sorted;

    public Latencies(IEnumerable<double> milliseconds)
    {
        _sorted = [.. milliseconds];
        Array.Sort(_sorted);
    }

    public double P50 => Percentile(0.50);

    public double P99 => Percentile(0.99);

    public double P999 => Percentile(0.999);

    public double Percentile(double fraction) =>
        _sorted.Length == 0 ? double.NaN : _sorted[Math.Min(_sorted.Length - 1, (int)Math.Ceiling(fraction * _sorted.Length) - 1)];
}

/// <summary>
/// A closed loop, as wrk runs one: each of <c>connections</c> workers sends a request, waits for its answer, and
/// sends the next, until the time is up or the worker's own plan is done. The latency of every answer is kept.
/// </summary>
public static class ClosedLoop
{
    /// <param name="send">The n-th request of worker w: whether it succeeded or failed, or Done when the worker's plan is done.</param>
    public static async Task<LoadResult> RunAsync(string name, int connections, TimeSpan duration, Func<int, long, CancellationToken, Task<Outcome>> send, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var perWorker = new List<double>[connections];
        long succeeded = 0, failed = 0;
        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
        {
            var latencies = perWorker[w] = new List<double>(4096);
            for (long n = 0; Stopwatch.GetElapsedTime(started) < duration && !cancellationToken.IsCancellationRequested; n++)
            {
                var at = Stopwatch.GetTimestamp();
                var outcome = await send(w, n, cancellationToken);
                if (outcome == Outcome.Done)
                {
                    break;
                }

                if (outcome == Outcome.Succeeded)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                    Interlocked.Increment(ref succeeded);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }, CancellationToken.None)).ToArray();
        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new LoadResult(name, elapsed, succeeded, failed, new Latencies(perWorker.SelectMany(l => l)));
    }
}

public enum Outcome
{
    Succeeded,
    Failed,
    Done,
}
