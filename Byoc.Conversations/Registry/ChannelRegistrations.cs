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
    private readonly ConcurrentDictionary<string, string> _unsettled = new(StringComparer.Ordinal);

    /// <summary>Points of contact CXone refused for good: they do not exist at CXone.</summary>
    public IReadOnlyDictionary<string, Refusal> Refused => _refused;

    /// <summary>
    /// Points of contact that exist at CXone only in part, or not yet: registered with the core fields only after a
    /// 400 (replies or files may be off at CXone), or still being retried (CXone busy, failing or unreachable).
    /// </summary>
    public IReadOnlyDictionary<string, string> Unsettled => _unsettled;

    public void Accepted(string channelId)
    {
        _refused.TryRemove(channelId, out _);
        _unsettled.TryRemove(channelId, out _);
    }

    public void AcceptedWithCoreFieldsOnly(string channelId)
    {
        _refused.TryRemove(channelId, out _);
        _unsettled[channelId] = "registered with the core fields only after CXone answered 400";
    }

    public void Retrying(string channelId, string reason) => _unsettled[channelId] = $"not registered yet, retrying: {reason}";

    public void Refuse(string channelId, string integrationId, int statusCode, string body)
    {
        _unsettled.TryRemove(channelId, out _);
        _refused[channelId] = new Refusal(integrationId, statusCode, body);
    }
}

/// <summary>
/// Degraded while CXone refuses a provisioned point of contact, holds it with the core fields only, or has not taken
/// it yet after a failed attempt; the description names each.
/// </summary>
public sealed class CxoneChannelsHealthCheck(ChannelRegistrations registrations) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var refused = registrations.Refused.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        var unsettled = registrations.Unsettled.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        if (refused.Count == 0 && unsettled.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy());
        }

        var problems = refused.Select(r => $"{r.Key} refused (integration {r.Value.IntegrationId}: {r.Value.StatusCode})")
            .Concat(unsettled.Select(u => $"{u.Key} {u.Value}"));
        var data = refused.Select(r => KeyValuePair.Create(r.Key, (object)$"{r.Value.StatusCode} {r.Value.Body}"))
            .Concat(unsettled.Select(u => KeyValuePair.Create(u.Key, (object)u.Value)))
            .ToDictionary();
        return Task.FromResult(HealthCheckResult.Degraded($"Points of contact not fully at CXone: {string.Join("; ", problems)}", data: data));
    }
}
