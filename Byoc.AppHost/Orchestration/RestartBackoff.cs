namespace Byoc.AppHost.Orchestration;

/// <summary>
/// How long to wait before restarting a crashed resource: doubling from <see cref="Initial"/> up to
/// <see cref="Maximum"/> while it keeps crashing, back to the start once it ran for <see cref="StableAfter"/>.
/// </summary>
internal sealed record RestartBackoff(TimeSpan Initial, TimeSpan Maximum, TimeSpan StableAfter)
{
    public static RestartBackoff Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

    /// <summary>The number of crashes in a row, counting this one, given the previous count and how long the process ran.</summary>
    public int NextCrashCount(int previousCrashesInARow, TimeSpan uptime) =>
        uptime >= StableAfter ? 1 : previousCrashesInARow + 1;

    public TimeSpan DelayFor(int crashesInARow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(crashesInARow, 1);
        var exponent = Math.Min(crashesInARow - 1, 30);
        var delay = Initial.TotalMilliseconds * Math.Pow(2, exponent);
        return TimeSpan.FromMilliseconds(Math.Min(delay, Maximum.TotalMilliseconds));
    }
}
