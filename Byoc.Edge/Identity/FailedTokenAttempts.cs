using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Byoc.Edge.Identity;

/// <summary>
/// Counts failed token requests per client id and per source address in Redis (so every replica sees the same
/// counts) over a fixed window; once either count reaches its limit, token requests answer 429 until the window ends.
/// Redis trouble never blocks a token: the limiter fails open and says so in the log.
/// </summary>
public sealed partial class FailedTokenAttempts(IConnectionMultiplexer redis, IOptions<CxoneTokenOptions> options, ILogger<FailedTokenAttempts> logger)
{
    private const string Prefix = "byoc:v1:edge:token-failures:";

    /// <summary>How long the caller must wait, or null when it may try.</summary>
    public async Task<TimeSpan?> RetryAfterAsync(string? clientId, IPAddress? address)
    {
        try
        {
            var database = redis.GetDatabase();
            TimeSpan? wait = null;
            foreach (var (key, limit) in Keys(clientId, address))
            {
                var count = (long?)await database.StringGetAsync(key) ?? 0;
                if (count >= limit)
                {
                    var ttl = await database.KeyTimeToLiveAsync(key) ?? options.Value.FailureWindow;
                    wait = wait is null || ttl > wait ? ttl : wait;
                }
            }

            return wait;
        }
        catch (RedisException e)
        {
            LogLimiterUnavailable(logger, e);
            return null;
        }
    }

    public async Task RecordAsync(string? clientId, IPAddress? address)
    {
        try
        {
            var database = redis.GetDatabase();
            foreach (var (key, _) in Keys(clientId, address))
            {
                await database.StringIncrementAsync(key);
                // The window starts at the first failure; later failures do not extend it.
                await database.KeyExpireAsync(key, options.Value.FailureWindow, ExpireWhen.HasNoExpiry);
            }
        }
        catch (RedisException e)
        {
            LogLimiterUnavailable(logger, e);
        }
    }

    private IEnumerable<(RedisKey Key, int Limit)> Keys(string? clientId, IPAddress? address)
    {
        if (!string.IsNullOrEmpty(clientId))
        {
            // Hashed: a client id is attacker-chosen text of any length.
            var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clientId)))[..32];
            yield return (Prefix + "client:" + id, options.Value.MaxFailuresPerClientId);
        }

        if (address is not null)
        {
            yield return (Prefix + "address:" + address, options.Value.MaxFailuresPerAddress);
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "The failed-token-attempt limiter cannot reach Redis; not limiting")]
    private static partial void LogLimiterUnavailable(ILogger logger, Exception exception);
}
