using System.Globalization;

namespace Byoc.Sandbox.Junglebook;

/// <summary>An outage of Junglebook's API for a while: what its callers get meanwhile.</summary>
public sealed record JunglebookOutageRequest(double ForSeconds, string Mode = "status", int StatusCode = 503, int? RetryAfterSeconds = 1);

/// <summary>
/// Junglebook's API (<c>/junglebook/api</c>, what connectors call) down for a window, for fault tests: every call
/// meanwhile is answered with a status (503 with Retry-After by default) or its connection dropped (<c>drop</c>).
/// The customer side and the simulator's own API stay up.
/// </summary>
public sealed class JunglebookOutage(TimeProvider time)
{
    private JunglebookOutageRequest? _outage;
    private DateTimeOffset _until = DateTimeOffset.MinValue;
    private int _refused;

    public bool IsDown => time.GetUtcNow() < _until;

    /// <summary>Calls answered by an outage so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public void Start(JunglebookOutageRequest outage)
    {
        _outage = outage;
        _until = time.GetUtcNow() + TimeSpan.FromSeconds(outage.ForSeconds);
    }

    public void End() => _until = DateTimeOffset.MinValue;

    public async Task ApplyAsync(HttpContext context, RequestDelegate next)
    {
        if (_outage is not { } outage || !IsDown)
        {
            await next(context);
            return;
        }

        Interlocked.Increment(ref _refused);
        if (outage.Mode == "drop")
        {
            context.Abort();
            return;
        }

        if (outage.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        context.Response.StatusCode = outage.StatusCode;
        await context.Response.WriteAsJsonAsync(new { error = "Junglebook is down (simulated outage)" });
    }
}

/// <summary>The simulator's admin API for the Junglebook side: outages.</summary>
public static class SandboxJunglebookApi
{
    public static IEndpointRouteBuilder MapSandboxJunglebookApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/sandbox/junglebook").WithTags("Sandbox: Junglebook simulator");

        api.MapPost("/outage", (JunglebookOutageRequest outage, JunglebookOutage outages) =>
            {
                if (outage.ForSeconds is <= 0 or > 86_400)
                {
                    return Invalid("forSeconds", "forSeconds must be between 0 and 86400.");
                }

                if (outage.Mode is not ("status" or "drop"))
                {
                    return Invalid("mode", "mode must be status (answer statusCode) or drop (close the connection).");
                }

                if (outage.StatusCode is < 400 or > 599)
                {
                    return Invalid("statusCode", "statusCode must be an error status (400–599).");
                }

                outages.Start(outage);
                return Results.NoContent();
            })
            .WithName("SandboxJunglebookStartOutage").WithSummary("Takes Junglebook's API down for forSeconds: 503 with Retry-After (default), another status, or dropped connections.");

        api.MapDelete("/outage", (JunglebookOutage outages) =>
            {
                outages.End();
                return Results.NoContent();
            })
            .WithName("SandboxJunglebookEndOutage").WithSummary("Ends an outage now.");

        api.MapGet("/outage", (JunglebookOutage outages) => TypedResults.Ok(new JunglebookOutageState(outages.IsDown, outages.Refused)))
            .WithName("SandboxJunglebookOutage").WithSummary("Whether the API is down, and how many calls outages answered so far.");

        return app;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Invalid(string field, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid outage", detail: detail,
            extensions: new Dictionary<string, object?> { ["field"] = field, ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } });
}

public sealed record JunglebookOutageState(bool Down, int Refused);
