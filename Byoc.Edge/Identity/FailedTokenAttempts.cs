using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Byoc.Edge.Identity;

/// <summary>
/// Slows down wrong token requests; never refuses right ones. Failures are counted per (client id, source address)
/// in Redis (every replica sees the same count) over <see cref="CxoneTokenOptions.FailureWindow"/>; the answer to a
/// wrong attempt waits 0 for the first <see cref="CxoneTokenOptions.FreeFailures"/>, then
/// <see cref="CxoneTokenOptions.FailureDelay"/> doubling up to <see cref="CxoneTokenOptions.MaxFailureDelay"/>.
/// Correct credentials are checked first and answered at once, so someone who knows a client id cannot keep the
/// integration from its token, and one tenant's typo from CXone's shared egress addresses slows only that pair.
/// Redis trouble never blocks a token: the limiter fails open and says so in the log.
/// </summary>
public sealed partial class FailedTokenAttempts(IConnectionMultiplexer redis, IOptions<CxoneTokenOptions> options, ILogger<FailedTokenAttempts> logger)
{
    private const string Prefix = "byoc:v1:edge:token-failures:";

    /// <summary>Counts one wrong attempt and answers how long its answer should wait.</summary>
    public async Task<TimeSpan> RecordAsync(string? clientId, IPAddress? address)
    {
        long count;
        try
        {
            var database = redis.GetDatabase();
            var key = Key(clientId, address);
            count = await database.StringIncrementAsync(key);
            // The window starts at the first failure; later failures do not extend it.
            await database.KeyExpireAsync(key, options.Value.FailureWindow, ExpireWhen.HasNoExpiry);
        }
        catch (RedisException e)
        {
            LogLimiterUnavailable(logger, e);
            return TimeSpan.Zero;
        }

        return DelayAfter(count, options.Value);
    }

    public static TimeSpan DelayAfter(long failures, CxoneTokenOptions options)
    {
        var beyond = failures - options.FreeFailures;
        if (beyond <= 0)
        {
            return TimeSpan.Zero;
        }

        // 2^(beyond-1) without overflow: past 30 doublings every sane cap has been reached.
        var delay = options.FailureDelay * Math.Pow(2, Math.Min(beyond - 1, 30));
        return delay < options.MaxFailureDelay ? delay : options.MaxFailureDelay;
    }

    // Hashed: a client id is attacker-chosen text of any length.
    private static RedisKey Key(string? clientId, IPAddress? address) =>
        Prefix + "pair:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{clientId}\n{address}")))[..32];

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "The failed-token-attempt limiter cannot reach Redis; not slowing down")]
    private static partial void LogLimiterUnavailable(ILogger logger, Exception exception);
}
