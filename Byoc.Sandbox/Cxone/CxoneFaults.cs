using System.Collections.Concurrent;
using System.Globalization;

namespace Byoc.Sandbox.Cxone;

/// <summary>What the simulator should do wrong, and to how many of the matching requests.</summary>
public sealed record CxoneFault(
    string Kind,
    int Count = 1,
    string? PathContains = null,
    int StatusCode = 500,
    int? RetryAfterSeconds = null,
    int DelayMilliseconds = 0);

/// <summary>
/// Misbehaviour on demand, for fault tests: the next <c>Count</c> requests to CXone's APIs whose path contains
/// <c>PathContains</c> get an error status (<c>status</c>, e.g. 429 with Retry-After or 500), a slow answer
/// (<c>delay</c>), or a dropped connection (<c>drop</c>). Faults apply in the order they were added.
/// </summary>
public sealed class CxoneFaults
{
    private readonly ConcurrentQueue<Armed> _faults = new();

    public void Add(CxoneFault fault) => _faults.Enqueue(new Armed(fault));

    public void Clear() => _faults.Clear();

    public int Remaining => _faults.Sum(f => Math.Max(0, f.Left));

    internal CxoneFault? Take(string path)
    {
        foreach (var armed in _faults)
        {
            if (armed.Fault.PathContains is { } part && !path.Contains(part, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (Interlocked.Decrement(ref armed.Left) >= 0)
            {
                return armed.Fault;
            }
        }

        return null;
    }

    /// <summary>Applies a fault to a request to the simulated CXone, or passes it on.</summary>
    public async Task ApplyAsync(HttpContext context, RequestDelegate next)
    {
        var fault = Take(context.Request.Path.Value ?? string.Empty);
        switch (fault?.Kind)
        {
            case "status":
                if (fault.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                }

                context.Response.StatusCode = fault.StatusCode;
                await context.Response.WriteAsJsonAsync(new CxoneErrorBody([new CxoneError("", $"Simulated fault {fault.StatusCode}", null, "SimulatedFault")], Guid.NewGuid().ToString()), CxoneJson.Default.CxoneErrorBody);
                return;
            case "drop":
                context.Abort();
                return;
            case "delay":
                await Task.Delay(fault.DelayMilliseconds, context.RequestAborted);
                break;
        }

        await next(context);
    }

    private sealed class Armed(CxoneFault fault)
    {
        public CxoneFault Fault { get; } = fault;

        public int Left = fault.Count;
    }
}
