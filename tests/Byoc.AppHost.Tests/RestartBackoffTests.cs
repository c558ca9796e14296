using Byoc.AppHost.Orchestration;

namespace Byoc.AppHost.Tests;

public sealed class RestartBackoffTests
{
    private static readonly RestartBackoff Backoff = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1000)]
    [InlineData(3, 2000)]
    [InlineData(6, 16000)]
    [InlineData(7, 30000)]
    [InlineData(1000, 30000)]
    public void The_delay_doubles_with_each_crash_in_a_row_up_to_the_maximum(int crashesInARow, int expectedMilliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), Backoff.DelayFor(crashesInARow));
    }

    [Fact]
    public void A_crash_soon_after_a_start_extends_the_run_of_crashes()
    {
        Assert.Equal(4, Backoff.NextCrashCount(previousCrashesInARow: 3, uptime: TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void A_crash_after_a_stable_run_starts_again_from_the_shortest_delay()
    {
        var count = Backoff.NextCrashCount(previousCrashesInARow: 6, uptime: TimeSpan.FromMinutes(5));

        Assert.Equal(1, count);
        Assert.Equal(TimeSpan.FromMilliseconds(500), Backoff.DelayFor(count));
    }
}

public sealed class LoopbackPortAllocatorTests
{
    [Fact]
    public void Planned_ports_are_free_and_below_the_range_the_kernel_gives_outgoing_connections()
    {
        var allocator = new LoopbackPortAllocator();

        var ports = Enumerable.Range(0, 20).Select(_ => allocator.Allocate()).ToList();

        Assert.All(ports, p => Assert.InRange(p, 20000, 32000));
        Assert.All(ports, p =>
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, p);
            listener.Start();
        });
    }
}
