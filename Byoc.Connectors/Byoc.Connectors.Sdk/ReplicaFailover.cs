using Grpc.Core;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// An idempotent call to Conversations answered Unavailable (a replica killed or restarting, Redis away for a moment)
/// is sent again, up to 4 times within about 1.5 s, on a new connection when the old one broke, so it reaches a
/// surviving replica instead of the platform getting 503. Done here rather than by gRPC's retry policy, which buffers
/// every request; this loop costs nothing while calls succeed.
/// </summary>
internal static class ReplicaFailover
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800)];

    public static async Task RunAsync(Func<Task> call, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && attempt < Backoff.Length)
            {
                await Task.Delay(Backoff[attempt], cancellationToken);
            }
        }
    }
}
