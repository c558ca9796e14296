using StackExchange.Redis;

namespace Byoc.Conversations.Inbound;

/// <summary>
/// Delivers one partition while this replica holds its lease: first the entries left unacknowledged by an earlier
/// owner (claimed), then new ones. Entries of one thread are chained (each starts when the previous one is done);
/// different threads run in parallel, up to the replica's delivery slots.
/// </summary>
internal sealed partial class PartitionPump(
    int partition,
    string consumer,
    string leaseToken,
    IConnectionMultiplexer redis,
    InboundDelivery delivery,
    IntegrationGates gates,
    SemaphoreSlim deliverySlots,
    ConversationsOptions options,
    TimeProvider time,
    ILogger logger) : IAsyncDisposable
{
    // Reads and claims happen only while the lease holds this pump's token, checked in the same script: a pump that
    // lost its lease (a stall, a Redis restart that let it lapse) can neither read new entries nor claim the new
    // owner's, so every entry read and not acknowledged is in the owner's pending list, or the owner claims it.
    private const string ReadIfOwner = """
        if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 'fenced' end
        local read = redis.call('XREADGROUP', 'GROUP', ARGV[2], ARGV[3], 'COUNT', ARGV[4], 'STREAMS', KEYS[1], ARGV[5])
        if not read then return {} end
        return read[1][2]
        """;
    private const string ClaimIfOwner = """
        if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 'fenced' end
        return redis.call('XAUTOCLAIM', KEYS[1], ARGV[2], ARGV[3], 0, ARGV[4], 'COUNT', ARGV[5], 'JUSTID')
        """;

    // The trim point is the earliest of the retention cutoff, the lowest pending entry and the group's last-delivered
    // id, worked out and applied in one script under the same lease check: read apart, an owner's read could fall
    // between them and entries it holds be trimmed. Exact MINID, not "~" (which drops only whole internal nodes).
    private const string TrimIfOwner = """
        if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 'fenced' end
        local function earlier(a, b)
          local am, as = string.match(a, '^(%d+)-(%d+)$')
          local bm, bs = string.match(b, '^(%d+)-(%d+)$')
          am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
          return am < bm or (am == bm and as < bs)
        end
        local keep = ARGV[3]
        local pending = redis.call('XPENDING', KEYS[1], ARGV[2])
        if pending[1] > 0 and earlier(pending[2], keep) then keep = pending[2] end
        for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
          local name, last
          for i = 1, #group, 2 do
            if group[i] == 'name' then name = group[i + 1] elseif group[i] == 'last-delivered-id' then last = group[i + 1] end
          end
          if name == ARGV[2] and last and earlier(last, keep) then keep = last end
        end
        return redis.call('XTRIM', KEYS[1], 'MINID', keep)
        """;

    // XREADGROUP's "new entries" id (the client library's StreamPosition.NewMessages is "$", which it turns into ">"
    // only for its own XREADGROUP; these scripts pass the id as it is).
    private const string NewEntries = ">";

    // New work wakes the owner at once (the inbound-signal channel); polling only covers a signal lost with a reconnect.
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(2);
    private long _leaseValidUntilTicks = DateTimeOffset.MinValue.UtcTicks;
    private DateTimeOffset _trimmedAt = DateTimeOffset.MinValue;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Dictionary<string, Task> _threadTails = new(StringComparer.Ordinal);
    // Entries attempting (or waiting for a replica-wide slot): the read budget. Parked ones are only held.
    private int _inFlight;
    // Every entry read and not yet finished: delivering, parked for a retry, or waiting behind its thread.
    private int _held;
    private Task _running = Task.CompletedTask;
    // Disposed only with the pump: deliveries still waiting after the loop ended must still see the stop.
    private CancellationTokenSource? _linked;

    private string Stream => RedisKeys.InboundStream(partition);

    private string Lease => RedisKeys.PartitionLease(partition);

    /// <summary>The lease's value when this replica took it ("replica#generation"): the fencing token.</summary>
    public string LeaseToken => leaseToken;

    /// <summary>True once a read, a claim or a delivery found the lease not holding this pump's token; the pump then stops.</summary>
    public bool Fenced { get; private set; }

    /// <summary>
    /// Until when this replica's lease surely holds (set by the worker at each renewal). Past it the pump reads
    /// nothing new, so a replica that stopped renewing cannot deliver beside the one that took the partition over.
    /// </summary>
    public DateTimeOffset LeaseValidUntil
    {
        get => new(Interlocked.Read(ref _leaseValidUntilTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _leaseValidUntilTicks, value.UtcTicks);
    }

    /// <summary>False once the pump's loop has ended without being stopped (the worker then replaces it).</summary>
    public bool IsRunning => !_running.IsCompleted;

    public void Start(CancellationToken stoppingToken)
    {
        _linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _stop.Token);
        var token = _linked.Token;
        _running = Task.Run(() => RunAsync(token), CancellationToken.None);
    }

    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already awake.
            }
        }
    }

    /// <summary>Stops reading and waits for deliveries under way; what is unacknowledged stays pending.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ContinueWith(_ => { }, TaskScheduler.Default);
        await Task.WhenAll(Tails());
        _linked?.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PumpAsync(redis.GetDatabase(), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped: what is not acknowledged stays pending for the next owner.
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Redis went away (a restart, a failover): let what is under way finish, then start over from
                // this consumer's pending entries once Redis answers again.
                LogPumpFailed(partition, e.Message);
                await Task.WhenAll(Tails());
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Anything else ends the loop; the worker replaces the pump, which claims what this one left pending.
                LogPumpEnded(partition, e);
                return;
            }
        }
    }

    private async Task PumpAsync(IDatabase db, CancellationToken cancellationToken)
    {
        await EnsureGroupAsync(db);
        if (!await ClaimOrphansAsync(db))
        {
            await FenceAsync();
            return;
        }

        // "0" reads this consumer's pending entries (the claimed ones) in stream order; ">" then reads new ones.
        RedisValue position = "0";
        while (!cancellationToken.IsCancellationRequested)
        {
            while (Volatile.Read(ref _inFlight) >= options.ReadBatch * 2 || Volatile.Read(ref _held) >= options.MaxHeldPerPartition
                || time.GetUtcNow() > LeaseValidUntil)
            {
                await WaitAsync(cancellationToken);
            }

            if (!await TrimAsync(db))
            {
                await FenceAsync();
                return;
            }

            var entries = await ReadAsync(db, position);
            if (entries is null)
            {
                await FenceAsync();
                return;
            }

            if (entries.Count == 0)
            {
                if (position != NewEntries)
                {
                    position = NewEntries;
                    continue;
                }

                await WaitAsync(cancellationToken);
                continue;
            }

            foreach (var (id, fields) in entries)
            {
                if (fields is null)
                {
                    // Pending but gone from the stream (never trimmed while pending, so only by hand): nothing to deliver.
                    LogEntryGone(id.ToString(), partition);
                    await AcknowledgeAsync(id, db, cancellationToken);
                    continue;
                }

                Dispatch(id, fields, db, cancellationToken);
            }

            if (position != NewEntries)
            {
                // Pending entries are read on from after the last one handed out.
                position = entries[^1].Id;
            }
        }
    }

    private Task[] Tails()
    {
        lock (_threadTails)
        {
            return [.. _threadTails.Values];
        }
    }

    /// <summary>The next entries from <paramref name="position"/>, each with its fields (null if gone); null when fenced.</summary>
    private async Task<List<(RedisValue Id, NameValueEntry[]? Fields)>?> ReadAsync(IDatabase db, RedisValue position)
    {
        var result = await db.ScriptEvaluateAsync(ReadIfOwner, [Stream, Lease], [leaseToken, InboundStreams.Group, consumer, options.ReadBatch, position]);
        if (result.Resp2Type != ResultType.Array)
        {
            return null;
        }

        var entries = new List<(RedisValue, NameValueEntry[]?)>();
        foreach (var entry in (RedisResult[])result!)
        {
            var parts = (RedisResult[])entry!;
            NameValueEntry[]? fields = null;
            if (!parts[1].IsNull)
            {
                var flat = (RedisValue[])parts[1]!;
                fields = new NameValueEntry[flat.Length / 2];
                for (var i = 0; i < fields.Length; i++)
                {
                    fields[i] = new NameValueEntry(flat[2 * i], flat[(2 * i) + 1]);
                }
            }

            entries.Add(((RedisValue)parts[0], fields));
        }

        return entries;
    }

    private void Dispatch(RedisValue entryId, NameValueEntry[] fields, IDatabase db, CancellationToken cancellationToken)
    {
        var work = InboundWork.FromEntries(fields);
        Interlocked.Increment(ref _held);
        lock (_threadTails)
        {
            var previous = _threadTails.GetValueOrDefault(work.OrderKey) ?? Task.CompletedTask;
            Task tail = null!;
            tail = previous.ContinueWith(_ => DeliverAsync(entryId, work, db, cancellationToken), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)
                .Unwrap()
                .ContinueWith(_ =>
                {
                    lock (_threadTails)
                    {
                        if (_threadTails.TryGetValue(work.OrderKey, out var current) && current == tail)
                        {
                            _threadTails.Remove(work.OrderKey);
                        }
                    }
                }, TaskScheduler.Default);
            _threadTails[work.OrderKey] = tail;
        }
    }

    /// <summary>
    /// Delivers and acknowledges one entry. A retry waits on its integration's schedule (Retry-After, backoff, an
    /// open auth circuit) parked: it holds no read budget, no replica-wide slot and none of its integration's
    /// turns, so other tenants in the partition flow on; its thread still waits behind it, so order holds. The retry
    /// budget runs from the first attempt, kept in Redis, so a takeover does not restart it. Whatever else goes wrong
    /// short of being stopped (Redis timing out, a secret that cannot be decrypted) is retried the same way. Before
    /// each attempt the lease must still be this pump's (the fencing token).
    /// </summary>
    private async Task DeliverAsync(RedisValue entryId, InboundWork work, IDatabase db, CancellationToken cancellationToken)
    {
        var active = false;
        void Active(bool now)
        {
            if (active != now)
            {
                active = now;
                Interlocked.Add(ref _inFlight, now ? 1 : -1);
                if (!now)
                {
                    Wake();
                }
            }
        }

        var startedAt = time.GetUtcNow();
        var budgetKept = false;
        try
        {
            var done = false;
            for (var attempt = 1; !done; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    Active(true);
                    var integration = await delivery.ResolveAsync(work);
                    if (integration is null)
                    {
                        break;
                    }

                    Active(false);
                    await gates.WaitTurnAsync(integration.Id, cancellationToken);
                    using var turn = await gates.EnterAsync(integration.Id, cancellationToken);
                    Active(true);
                    if (!await StillOwnerAsync(db, cancellationToken))
                    {
                        return;
                    }

                    await deliverySlots.WaitAsync(cancellationToken);
                    Cxone.CxoneResult result;
                    try
                    {
                        result = await delivery.SendAsync(work, integration, attempt, cancellationToken);
                    }
                    finally
                    {
                        deliverySlots.Release();
                    }

                    switch (result.Outcome)
                    {
                        case Cxone.CxoneOutcome.Accepted:
                            gates.Succeeded(integration.Id);
                            done = true;
                            break;
                        case Cxone.CxoneOutcome.Rejected:
                            await delivery.RefusedAsync(work, integration, result, attempt);
                            done = true;
                            break;
                        default:
                            var delay = gates.Failed(integration.Id, result.RetryAfter);
                            var first = await FirstAttemptAsync(entryId, startedAt, db);
                            budgetKept = true;
                            if (attempt >= options.MaxAttempts || time.GetUtcNow() - first >= options.RetryFor)
                            {
                                await delivery.ExhaustedAsync(work, integration, result, attempt);
                                done = true;
                            }
                            else
                            {
                                delivery.WillRetry(work, result, delay);
                            }

                            break;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogDeliveryFailed(work.MessageId, partition, e.GetType().Name, e.Message);
                    Active(false);
                    await Task.Delay(gates.DelayBefore(attempt + 1, retryAfter: null), time, cancellationToken);
                }
            }

            Active(true);
            await AcknowledgeAsync(entryId, db, cancellationToken);
            if (budgetKept)
            {
                db.HashDelete(RedisKeys.FirstAttempts(partition), entryId, CommandFlags.FireAndForget);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Left pending: the next owner delivers it.
        }
        finally
        {
            Active(false);
            Interlocked.Decrement(ref _held);
            Wake();
        }
    }

    /// <summary>When the entry was first attempted, by whichever replica: recorded at its first failure, kept in Redis.</summary>
    private async Task<DateTimeOffset> FirstAttemptAsync(RedisValue entryId, DateTimeOffset startedAt, IDatabase db)
    {
        var key = RedisKeys.FirstAttempts(partition);
        await db.HashSetAsync(key, entryId, startedAt.ToUnixTimeMilliseconds(), When.NotExists);
        var stored = await db.HashGetAsync(key, entryId);
        return stored.TryParse(out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : startedAt;
    }

    /// <summary>CXone has it: only the XACK is retried (delivering again would be a duplicate attempt).</summary>
    private async Task AcknowledgeAsync(RedisValue entryId, IDatabase db, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await db.StreamAcknowledgeAsync(Stream, InboundStreams.Group, entryId);
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                LogAckFailed(entryId.ToString(), partition, e.Message);
                await Task.Delay(gates.DelayBefore(attempt + 1, retryAfter: null), time, cancellationToken);
            }
        }
    }

    /// <summary>The fencing check: false (and the pump stops) once the lease holds another token.</summary>
    private async Task<bool> StillOwnerAsync(IDatabase db, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (await db.StringGetAsync(Lease) == leaseToken)
        {
            return true;
        }

        await FenceAsync();
        return false;
    }

    private async Task FenceAsync()
    {
        if (!Fenced)
        {
            Fenced = true;
            LogFenced(partition, leaseToken);
            await _stop.CancelAsync();
        }
    }

    /// <summary>
    /// Drops acknowledged entries older than <see cref="ConversationsOptions.StreamRetention"/>, never anything
    /// pending or not yet read, so a stream holds roughly an hour of history whatever the traffic. False when fenced.
    /// </summary>
    private async Task<bool> TrimAsync(IDatabase db)
    {
        var now = time.GetUtcNow();
        if (now - _trimmedAt < options.StreamTrimInterval)
        {
            return true;
        }

        _trimmedAt = now;
        var cutoff = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(now - options.StreamRetention).ToUnixTimeMilliseconds()}-0");
        var result = await db.ScriptEvaluateAsync(TrimIfOwner, [Stream, Lease], [leaseToken, InboundStreams.Group, cutoff]);
        return result.Resp2Type != ResultType.BulkString || (string?)result != "fenced";
    }

    private async Task EnsureGroupAsync(IDatabase db)
    {
        try
        {
            await db.StreamCreateConsumerGroupAsync(Stream, InboundStreams.Group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Exists already.
        }
    }

    // Holding the lease means no other replica delivers this partition, so every pending entry is an orphan.
    // False when the lease is not this pump's: it claims nothing.
    private async Task<bool> ClaimOrphansAsync(IDatabase db)
    {
        RedisValue cursor = "0-0";
        var claimed = 0;
        do
        {
            var result = await db.ScriptEvaluateAsync(ClaimIfOwner, [Stream, Lease], [leaseToken, InboundStreams.Group, consumer, cursor, 1000]);
            if (result.Resp2Type != ResultType.Array)
            {
                return false;
            }

            // XAUTOCLAIM answers [next cursor, claimed ids, (7.0+) ids gone from the stream].
            var answer = (RedisResult[])result!;
            cursor = (RedisValue)answer[0];
            claimed += ((RedisResult[])answer[1]!).Length;
        }
        while (cursor != "0-0");

        if (claimed > 0)
        {
            LogClaimed(claimed, partition);
        }

        return true;
    }

    private Task<bool> WaitAsync(CancellationToken cancellationToken) => _wake.WaitAsync(IdlePoll, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed {Count} unacknowledged entries of inbound partition {Partition} from an earlier owner")]
    private partial void LogClaimed(int count, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of {MessageId} (partition {Partition}) failed with {Error}: {Reason}; retrying in place")]
    private partial void LogDeliveryFailed(string messageId, int partition, string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Acknowledging {EntryId} of inbound partition {Partition} failed: {Reason}; retrying the acknowledgement only")]
    private partial void LogAckFailed(string entryId, int partition, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound partition {Partition}: the lease is no longer {Token}; this pump stops without delivering")]
    private partial void LogFenced(int partition, string token);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Entry {EntryId} of inbound partition {Partition} was pending but is gone from the stream; acknowledged")]
    private partial void LogEntryGone(string entryId, int partition);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbound partition {Partition}: the pump ended on an unexpected error; it is replaced")]
    private partial void LogPumpEnded(int partition, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound partition {Partition} stopped: {Reason}")]
    private partial void LogPumpFailed(int partition, string reason);
}
