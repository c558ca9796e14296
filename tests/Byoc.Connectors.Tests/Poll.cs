namespace Byoc.Connectors.Tests;

/// <summary>Waits on a condition with a deadline: the way tests synchronise with servers.</summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Not true in time: {what}");
            }

            await Task.Delay(Interval, CancellationToken.None);
        }
    }
}
