using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Byoc.Conversations.Inbound;

/// <summary>What an acknowledged ingest promises (<see cref="ConversationsOptions.Durability"/>).</summary>
public enum DurabilityMode
{
    /// <summary>Acknowledged once Redis has applied the write; the AOF's own fsync policy decides what a crash of Redis loses.</summary>
    Written,

    /// <summary>
    /// Acknowledged only once the write is fsynced to the AOF (WAITAOF on Redis 7.2+, else a Redis confirmed to run
    /// with <c>appendfsync always</c>) and, with <see cref="ConversationsOptions.DurabilityReplicas"/>, on that many replicas.
    /// </summary>
    WaitAof,
}

/// <summary>Redis could not confirm that an ingested entry is durable: the ingest must not be acknowledged.</summary>
public sealed class NotDurableException(string reason) : Exception(reason);

/// <summary>
/// The connections ingest writes on, and the confirmation that what they wrote is durable. WAITAOF and WAIT block
/// the connection they are sent on and wait for that connection's own earlier writes, so the writes and the wait go
/// over a small pool of dedicated connections, never over the shared multiplexer the pipelines use.
/// </summary>
public sealed partial class IngestDurability : IAsyncDisposable
{
    private readonly ConversationsOptions _options;
    private readonly IConnectionMultiplexer _shared;
    private readonly ILogger<IngestDurability> _logger;
    private readonly Lazy<Task<ConnectionMultiplexer>>[] _pool;
    private Task<string?>? _fsyncAlwaysProblem;
    private int _next;

    public IngestDurability(IConnectionMultiplexer shared, IConfiguration configuration, IOptions<ConversationsOptions> options, ILogger<IngestDurability> logger)
    {
        _options = options.Value;
        _shared = shared;
        _logger = logger;
        var connectionString = configuration.GetConnectionString("redis");
        _pool = [.. Enumerable.Range(0, Math.Max(1, _options.DurableConnections)).Select(_ => new Lazy<Task<ConnectionMultiplexer>>(() => ConnectAsync(connectionString)))];
    }

    public DurabilityMode Mode => _options.Durability;

    /// <summary>The database to write an ingest on: the shared one when nothing is waited for, else a dedicated connection.</summary>
    public async Task<IDatabase> DatabaseAsync()
    {
        if (Mode == DurabilityMode.Written || _pool.Length == 0)
        {
            return _shared.GetDatabase();
        }

        var slot = (int)((uint)Interlocked.Increment(ref _next) % (uint)_pool.Length);
        return (await _pool[slot].Value).GetDatabase();
    }

    /// <summary>Returns once the writes made on <paramref name="db"/> so far are durable as configured; else throws <see cref="NotDurableException"/>.</summary>
    public async Task ConfirmAsync(IDatabase db)
    {
        if (Mode == DurabilityMode.Written)
        {
            return;
        }

        var timeout = (long)_options.DurabilityTimeout.TotalMilliseconds;
        var replicas = _options.DurabilityReplicas;
        try
        {
            if (SupportsWaitAof(db))
            {
                var answer = (long[])(await db.ExecuteAsync("WAITAOF", 1, replicas, timeout))!;
                if (answer[0] < 1 || answer[1] < replicas)
                {
                    throw Refuse($"WAITAOF confirmed {answer[0]} local and {answer[1]} replica fsyncs within {timeout} ms (needed 1 and {replicas})");
                }

                return;
            }

            // Before 7.2: with appendfsync always, Redis fsyncs before it replies, so the reply was the confirmation.
            if (await FsyncAlwaysProblemAsync() is { } problem)
            {
                throw Refuse(problem);
            }

            if (replicas > 0)
            {
                var acknowledged = (long)await db.ExecuteAsync("WAIT", replicas, timeout);
                if (acknowledged < replicas)
                {
                    throw Refuse($"WAIT reached {acknowledged} of {replicas} replicas within {timeout} ms");
                }
            }
        }
        catch (RedisServerException e)
        {
            // E.g. "WAITAOF cannot be used when numlocal is set but appendonly is disabled."
            throw Refuse(e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _pool.Where(c => c.IsValueCreated))
        {
            try
            {
                await (await connection.Value).DisposeAsync();
            }
            catch (RedisException)
            {
                // It never connected: nothing to close.
            }
        }
    }

    private static bool SupportsWaitAof(IDatabase db) =>
        db.Multiplexer.GetServers().FirstOrDefault(s => s.IsConnected) is { } server && server.Version >= new Version(7, 2);

    private static async Task<ConnectionMultiplexer> ConnectAsync(string? connectionString)
    {
        var configuration = ConfigurationOptions.Parse(connectionString ?? throw new InvalidOperationException("ConnectionStrings:redis is not set."));
        configuration.AbortOnConnectFail = false;
        // CONFIG GET, for the appendfsync check on a Redis without WAITAOF.
        configuration.AllowAdmin = true;
        configuration.ClientName = "byoc-ingest";
        return await ConnectionMultiplexer.ConnectAsync(configuration);
    }

    /// <summary>The check's answer, read once; a check that could not reach Redis is tried again at the next ingest.</summary>
    private async Task<string?> FsyncAlwaysProblemAsync()
    {
        var check = _fsyncAlwaysProblem ??= CheckFsyncAlwaysAsync();
        try
        {
            return await check;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _ = Interlocked.CompareExchange(ref _fsyncAlwaysProblem, null, check);
            throw Refuse($"the AOF policy could not be read: {e.Message}");
        }
    }

    /// <summary>Null when the Redis is confirmed to fsync every write before replying; else why not.</summary>
    private async Task<string?> CheckFsyncAlwaysAsync()
    {
        var db = (await _pool[0].Value).GetDatabase();
        try
        {
            var persistence = (string?)await db.ExecuteAsync("INFO", "persistence") ?? string.Empty;
            if (!persistence.Contains("aof_enabled:1", StringComparison.Ordinal))
            {
                return Remember("Redis runs with appendonly off (and has no WAITAOF, which needs 7.2): an acknowledged message could be lost");
            }

            var config = (RedisResult[])(await db.ExecuteAsync("CONFIG", "GET", "appendfsync"))!;
            var policy = config.Length == 2 ? config[1].ToString() : null;
            return policy == "always"
                ? null
                : Remember($"Redis has appendfsync {policy ?? "unknown"}, not always, and no WAITAOF (7.2+): an acknowledged message could be lost");
        }
        catch (RedisServerException e)
        {
            return Remember($"the AOF policy cannot be read ({e.Message}) and the Redis has no WAITAOF (7.2+)");
        }
    }

    private string Remember(string problem)
    {
        LogCannotConfirm(problem, nameof(ConversationsOptions.Durability));
        return problem;
    }

    private NotDurableException Refuse(string reason)
    {
        LogNotDurable(reason);
        return new NotDurableException(reason);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest durability cannot be confirmed: {Problem}. Every ingest is refused with UNAVAILABLE until the Redis fsyncs each write, or set Byoc:Conversations:{Setting}=Written to accept that risk")]
    private partial void LogCannotConfirm(string problem, string setting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An ingested entry is not confirmed durable, so it is not acknowledged (UNAVAILABLE; the platform retries): {Reason}")]
    private partial void LogNotDurable(string reason);
}
