using Byoc.Conversations.Inbound;

namespace Byoc.Conversations.Tests;

public sealed class IntegrationGatesTests
{
    private static IntegrationGates Gates(int perIntegration = 2) => new(new ConversationsOptions
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(100),
        RetryMaxDelay = TimeSpan.FromSeconds(1),
        MaxConcurrentDeliveriesPerIntegration = perIntegration,
    }, TimeProvider.System);

    [Fact]
    public void A_Retry_After_defers_only_the_integration_that_got_it_and_in_full()
    {
        var gates = Gates();
        var before = DateTimeOffset.UtcNow;

        var delay = gates.Failed("a", TimeSpan.FromSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(30), delay);
        Assert.True(gates.NotBefore("a") >= before + TimeSpan.FromSeconds(30));
        Assert.True(gates.NotBefore("b") <= DateTimeOffset.UtcNow);
    }

    [Fact]
    public void A_shorter_backoff_never_shortens_a_wait_another_failure_set()
    {
        var gates = Gates();
        gates.Failed("a", TimeSpan.FromSeconds(30));
        var deferred = gates.NotBefore("a");

        gates.Failed("a", retryAfter: null);

        Assert.Equal(deferred, gates.NotBefore("a"));
    }

    [Fact]
    public async Task An_integration_gets_at_most_its_share_of_concurrent_turns_and_others_are_not_held()
    {
        var gates = Gates(perIntegration: 2);
        using var first = await gates.EnterAsync("a", CancellationToken.None);
        using var second = await gates.EnterAsync("a", CancellationToken.None);

        var third = gates.EnterAsync("a", CancellationToken.None);
        using var other = await gates.EnterAsync("b", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.False(third.IsCompleted);
        first.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }
}
