using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Byoc.Sandbox.Cxone;

/// <summary>
/// What the simulator should do wrong, to how many of the matching requests (<c>Count</c>) or for how long
/// (<c>ForSeconds</c>: every matching request in the window, however many). <c>BodyContains</c> narrows a fault to
/// requests whose body carries a marker (e.g. a 400 for good for some messages, the rest flowing).
/// </summary>
public sealed record CxoneFault(
    string Kind,
    int Count = 1,
    string? PathContains = null,
    int StatusCode = 500,
    int? RetryAfterSeconds = null,
    int DelayMilliseconds = 0,
    double? ForSeconds = null,
    string? BodyContains = null);

/// <summary>A request the simulator answered with a fault: when, what, and the message it was about (if any).</summary>
public sealed record AppliedFault(string Kind, int StatusCode, string Path, string? IdOnExternalPlatform, DateTimeOffset At);

/// <summary>
/// Misbehaviour on demand, for fault tests: the next <c>Count</c> requests to CXone's APIs whose path contains
/// <c>PathContains</c> (or every one for <c>ForSeconds</c>) get an error status (<c>status</c>, e.g. 429 with
/// Retry-After or 500), a slow answer (<c>delay</c>: longer than the caller's timeout is a timeout), or a dropped
/// connection (<c>drop</c>). Faults apply in the order they were added; each one applied is counted and, when it
/// refused a message, remembered with the message's id.
/// </summary>
public sealed class CxoneFaults(TimeProvider time)
{
    private readonly ConcurrentQueue<Armed> _faults = new();
    private readonly ConcurrentDictionary<string, int> _appliedByKind = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AppliedFault> _refusals = new();

    public void Add(CxoneFault fault) =>
        _faults.Enqueue(new Armed(fault, fault.ForSeconds is { } seconds ? time.GetUtcNow() + TimeSpan.FromSeconds(seconds) : null));

    public void Clear() => _faults.Clear();

    /// <summary>Count-based faults not used yet, and windows not over yet (each counts one).</summary>
    public int Remaining => _faults.Sum(f => f.Until is { } until ? (until > time.GetUtcNow() ? 1 : 0) : Math.Max(0, f.Left));

    /// <summary>Faults applied so far, by kind and status (<c>status 429</c>, <c>delay</c>, <c>drop</c>).</summary>
    public IReadOnlyDictionary<string, int> Applied => _appliedByKind;

    /// <summary>Messages refused with a 4xx by a fault (the ones a middleware must dead-letter), in order.</summary>
    public IReadOnlyList<AppliedFault> Refusals => [.. _refusals];

    internal CxoneFault? Take(string path, string? body)
    {
        var now = time.GetUtcNow();
        foreach (var armed in _faults)
        {
            if (armed.Fault.PathContains is { } part && !path.Contains(part, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (armed.Fault.BodyContains is { } marker && (body is null || !body.Contains(marker, StringComparison.Ordinal)))
            {
                continue;
            }

            if (armed.Until is { } until)
            {
                if (now < until)
                {
                    return armed.Fault;
                }

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
        var body = _faults.Any(f => f.Fault.BodyContains is not null) ? await ReadBodyAsync(context.Request) : null;
        var path = context.Request.Path.Value ?? string.Empty;
        var fault = Take(path, body);
        if (fault is not null)
        {
            _appliedByKind.AddOrUpdate(fault.Kind == "status" ? $"status {fault.StatusCode}" : fault.Kind, 1, (_, n) => n + 1);
        }

        switch (fault?.Kind)
        {
            case "status":
                if (fault.StatusCode is >= 400 and < 500 and not 429 && body is not null)
                {
                    _refusals.Enqueue(new AppliedFault(fault.Kind, fault.StatusCode, path, ExternalId(body), time.GetUtcNow()));
                }

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
                await Task.Delay(TimeSpan.FromMilliseconds(fault.DelayMilliseconds), time, context.RequestAborted);
                break;
        }

        await next(context);
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        return body;
    }

    private static string? ExternalId(string body)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(body)?["idOnExternalPlatform"]?.GetValue<string>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private sealed class Armed(CxoneFault fault, DateTimeOffset? until)
    {
        public CxoneFault Fault { get; } = fault;

        public DateTimeOffset? Until { get; } = until;

        public int Left = fault.Count;
    }
}
