using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Byoc.Conversations.Registry;

/// <summary>
/// Which provisioned points of contact CXone refused for good, in this replica (each replica registers them). A point
/// of contact that silently never exists is the worst outcome: no customer message reaches an agent and nothing says
/// why. The health check turns a refusal into Degraded, naming the channel.
/// </summary>
public sealed class ChannelRegistrations
{
    public sealed record Refusal(string IntegrationId, int StatusCode, string Body);

    private readonly ConcurrentDictionary<string, Refusal> _refused = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, Refusal> Refused => _refused;

    public void Accepted(string channelId) => _refused.TryRemove(channelId, out _);

    public void Refuse(string channelId, string integrationId, int statusCode, string body) =>
        _refused[channelId] = new Refusal(integrationId, statusCode, body);
}

/// <summary>Degraded while CXone refuses a provisioned point of contact; the description names each.</summary>
public sealed class CxoneChannelsHealthCheck(ChannelRegistrations registrations) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var refused = registrations.Refused.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        if (refused.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy());
        }

        var names = string.Join(", ", refused.Select(r => $"{r.Key} (integration {r.Value.IntegrationId}: {r.Value.StatusCode})"));
        return Task.FromResult(HealthCheckResult.Degraded(
            $"CXone refused points of contact: {names}",
            data: refused.ToDictionary(r => r.Key, r => (object)$"{r.Value.StatusCode} {r.Value.Body}")));
    }
}
