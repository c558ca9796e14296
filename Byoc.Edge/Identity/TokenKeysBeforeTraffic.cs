using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Validation;
using StackExchange.Redis;

namespace Byoc.Edge.Identity;

/// <summary>
/// Loads the token keys (and with them the Data Protection key ring) from Redis before the Edge listens. Both are
/// read synchronously inside OpenIddict's options, which every request builds first: left to the first requests, a
/// burst of them right after a restart blocks every thread-pool thread on Redis, Redis' answers wait for a thread,
/// and each request times out as a 500. If Redis stays away, the Edge starts all the same after
/// <see cref="CxoneTokenOptions.KeysWaitAtStart"/>, and requests are answered 503 until it is back (<see cref="OptionsCacheWithoutFailures{TOptions}"/>).
/// </summary>
public sealed partial class TokenKeysBeforeTraffic(
    TokenKeyRing keys,
    IOptionsMonitor<OpenIddictServerOptions> server,
    IOptionsMonitor<OpenIddictValidationOptions> validation,
    IOptions<CxoneTokenOptions> options,
    TimeProvider time,
    ILogger<TokenKeysBeforeTraffic> logger) : IHostedLifecycleService
{
    // Before every StartAsync, the web server's included: no request can arrive before the keys are in.
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Task.Run(() =>
                {
                    _ = keys.SigningKey;
                    _ = server.CurrentValue;
                    _ = validation.CurrentValue;
                }, cancellationToken);
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                if (time.GetUtcNow() - started >= options.Value.KeysWaitAtStart)
                {
                    LogStartingWithout(logger, e.Message);
                    return;
                }

                LogWaiting(logger, attempt, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250 * attempt, 2000)), time, cancellationToken);
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "The token keys cannot be read from Redis yet (attempt {Attempt}: {Reason}); the Edge waits before it listens")]
    private static partial void LogWaiting(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Error, Message = "The token keys still cannot be read from Redis ({Reason}); the Edge listens and answers 503 until they can")]
    private static partial void LogStartingWithout(ILogger logger, string reason);
}
