using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Byoc.Edge.HealthChecks;

/// <summary>
/// Asks Conversations for its health over gRPC (the standard grpc.health.v1 protocol), through service discovery:
/// the Edge cannot serve CXone while it cannot reach Conversations.
/// </summary>
internal sealed class ConversationsHealthCheck(Health.HealthClient conversations) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var reply = await conversations.CheckAsync(new HealthCheckRequest(), cancellationToken: cancellationToken);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Conversations reports {reply.Status}");
        }
        catch (RpcException e)
        {
            return HealthCheckResult.Unhealthy($"Conversations unreachable: {e.StatusCode}");
        }
    }
}
