using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Byoc.Conversations.V1;
using Grpc.Core;

namespace Byoc.Edge.Identity;

/// <summary>
/// Which client-secret generations of an integration still have their access tokens honoured (Conversations says:
/// the current secret's, and the previous one's during its overlap), cached for <see cref="CacheFor"/> per
/// integration. A rotation without overlap or a revoke therefore ends the old secret's tokens within that time on
/// every replica (at once on the replica that served the admin call). A token issued before generations existed
/// counts as generation 0.
/// </summary>
public sealed partial class SecretGenerations(Integrations.IntegrationsClient integrations, TimeProvider time, ILogger<SecretGenerations> logger)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, long[] Accepted)> _cache = new(StringComparer.Ordinal);

    public async Task<bool> AcceptsAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var integrationId = principal.IntegrationId();
        var generation = long.TryParse(principal.FindFirst(IntegrationClaims.SecretGeneration)?.Value, CultureInfo.InvariantCulture, out var g) ? g : 0;
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(integrationId, out var entry) && entry.Until > now)
        {
            return entry.Accepted.Contains(generation);
        }

        try
        {
            var answer = await integrations.GetSecretGenerationsAsync(new GetSecretGenerationsRequest { IntegrationId = integrationId }, cancellationToken: cancellationToken);
            var accepted = answer.Accepted.ToArray();
            _cache[integrationId] = (now + CacheFor, accepted);
            return accepted.Contains(generation);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
        catch (RpcException e)
        {
            // The callback cannot be served without Conversations anyway (it answers 503 then); the last known answer
            // holds, and without one the token's signature is what is left.
            LogUnavailable(logger, e.StatusCode);
            return entry.Accepted is null || entry.Accepted.Contains(generation);
        }
    }

    /// <summary>After a rotation or revoke through this replica: the next callback asks again.</summary>
    public void Forget(string integrationId) => _cache.TryRemove(integrationId, out _);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "The accepted secret generations could not be read: Conversations answered {StatusCode}")]
    private static partial void LogUnavailable(ILogger logger, StatusCode statusCode);
}
