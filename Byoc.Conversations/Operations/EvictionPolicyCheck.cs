using StackExchange.Redis;

namespace Byoc.Conversations.Operations;

/// <summary>
/// Warns at start-up when Redis may evict keys: Byoc's keys are state (queues, leases, the ID map), so an evicted
/// key is a lost message or a broken order, not a cache miss. Every key family has a retention instead.
/// </summary>
public sealed partial class EvictionPolicyCheck(IConfiguration configuration, ILogger<EvictionPolicyCheck> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // INFO is an admin command to StackExchange.Redis: a short-lived connection of its own for this one read.
            var options = ConfigurationOptions.Parse(configuration.GetConnectionString("redis") ?? string.Empty);
            options.AllowAdmin = true;
            options.AbortOnConnectFail = false;
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
            var server = redis.GetServers().FirstOrDefault(s => s.IsConnected);
            if (server is null)
            {
                LogUnchecked("not connected");
                return;
            }

            var policy = (await server.InfoAsync("memory")).SelectMany(g => g).FirstOrDefault(p => p.Key == "maxmemory_policy").Value;
            if (policy is not null && policy != "noeviction")
            {
                LogEvicting(policy);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogUnchecked(e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis runs with maxmemory-policy {Policy}: it may evict Byoc's state (queued messages, leases, the ID map). Set maxmemory-policy noeviction (docs/architecture.md, Retention)")]
    private partial void LogEvicting(string policy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis' maxmemory-policy could not be read: {Reason}")]
    private partial void LogUnchecked(string reason);
}
