namespace Byoc.Conversations.Tests;

/// <summary>Waits on a condition with a deadline: the way tests synchronise with real processes.</summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Not true within {timeout.TotalSeconds:0} s: {what}");
            }

            await Task.Delay(Interval, CancellationToken.None);
        }
    }
}
