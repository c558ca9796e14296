using System.Globalization;
using System.Text.RegularExpressions;
using Byoc.Conversations.Inbound;
using Byoc.Conversations.Registry;
using Byoc.Conversations.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Byoc.Conversations.Operations;

/// <summary>
/// Work CXone refused (4xx) or that ran out of retries, kept with the reason, whose error it is and CXone's answer
/// until an operator replays it (back onto the inbound queue, in its thread's partition) one by one or in bulk.
/// One capped stream holds them; a sorted set per tenant and per channel (members the padded stream ids, so lexical
/// order is stream order) indexes them, kept in step with the stream and its cap by one script, so a page of one
/// tenant's or one channel's dead letters is O(log n + page) among 100,000 others.
/// </summary>
public sealed partial class DeadLetters(
    IConnectionMultiplexer redis,
    InboundStreams queue,
    MessageTimeline timeline,
    TimeProvider time,
    IOptions<ConversationsOptions> options,
    ILogger<DeadLetters> logger)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>How long a replay holds its claim on a dead letter: a second click within it replays nothing.</summary>
    public static readonly TimeSpan ReplayClaim = TimeSpan.FromSeconds(30);

    // Adds the entry, indexes it, and trims the oldest beyond the cap from the stream and from their indexes.
    private static readonly LuaScript Add = LuaScript.Prepare("""
        local function member(id)
          local ms, seq = string.match(id, '^(%d+)-(%d+)$')
          return string.rep('0', 15 - #ms) .. ms .. '-' .. string.rep('0', 10 - #seq) .. seq
        end
        local fields = cjson.decode(@fields)
        local id = redis.call('XADD', @stream, '*', unpack(fields))
        redis.call('ZADD', @prefix .. 'tenant:' .. @tenant, 0, member(id))
        redis.call('ZADD', @prefix .. 'channel:' .. @channel, 0, member(id))
        redis.call('HSET', @prefix .. 'channel-tenants', @channel, @tenant)
        local over = redis.call('XLEN', @stream) - tonumber(@cap)
        if over > 0 then
          local old = redis.call('XRANGE', @stream, '-', '+', 'COUNT', over)
          for _, e in ipairs(old) do
            local t, c = '', ''
            local f = e[2]
            for i = 1, #f, 2 do
              if f[i] == 'tenant' then t = f[i + 1] elseif f[i] == 'channel' then c = f[i + 1] end
            end
            redis.call('ZREM', @prefix .. 'tenant:' .. t, member(e[1]))
            redis.call('ZREM', @prefix .. 'channel:' .. c, member(e[1]))
            redis.call('XDEL', @stream, e[1])
          end
        end
        return id
        """);

    // Removes one entry from the stream and its indexes; 0 when it was gone already.
    private static readonly LuaScript Remove = LuaScript.Prepare("""
        local e = redis.call('XRANGE', @stream, @id, @id)
        if #e == 0 then return 0 end
        local t, c = '', ''
        local f = e[1][2]
        for i = 1, #f, 2 do
          if f[i] == 'tenant' then t = f[i + 1] elseif f[i] == 'channel' then c = f[i + 1] end
        end
        redis.call('ZREM', @prefix .. 'tenant:' .. t, @member)
        redis.call('ZREM', @prefix .. 'channel:' .. c, @member)
        redis.call('XDEL', @stream, @id)
        return 1
        """);

    private IDatabase Db => redis.GetDatabase();

    public async Task AddAsync(InboundWork work, Integration? integration, ErrorSource source, string reason, string? cxoneResponse, int attempts)
    {
        var fields = work.ToEntries().Concat(
        [
            new NameValueEntry("tenant", integration?.TenantId ?? string.Empty),
            new NameValueEntry("integration", integration?.Id ?? string.Empty),
            new NameValueEntry("source", (int)source),
            new NameValueEntry("reason", reason),
            new NameValueEntry("cxoneResponse", cxoneResponse is { Length: > 2000 } long_ ? long_[..2000] : cxoneResponse ?? string.Empty),
            new NameValueEntry("attempts", attempts),
            new NameValueEntry("failedAt", time.GetUtcNow().ToUnixTimeMilliseconds()),
        ]).SelectMany(e => new[] { e.Name.ToString(), e.Value.ToString() }).ToArray();
        // Capped, oldest first out: an outage that dead-letters everything must not fill Redis (which never evicts).
        await Db.ScriptEvaluateAsync(Add, new
        {
            stream = (RedisKey)RedisKeys.DeadLetters,
            prefix = RedisKeys.DeadLetterIndexPrefix,
            tenant = integration?.TenantId ?? string.Empty,
            channel = work.ChannelId,
            cap = options.Value.DeadLetterCap,
            fields = System.Text.Json.JsonSerializer.Serialize(fields, DeadLetterJson.Default.StringArray),
        });
        timeline.Record(work.ChannelId, work.MessageId, "dead_lettered", reason);
    }

    /// <summary>The first <paramref name="limit"/> dead letters of every tenant, oldest first (operators' old call).</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int limit)
    {
        var entries = await Db.StreamRangeAsync(RedisKeys.DeadLetters, count: limit <= 0 ? 100 : limit);
        return [.. entries.Select(ToDeadLetter)];
    }

    public sealed record Page(IReadOnlyList<DeadLetter> DeadLetters, string NextCursor, long Total);

    /// <summary>One page of the dead letters in <paramref name="scope"/>, after <paramref name="cursor"/> in <paramref name="order"/>.</summary>
    public async Task<Page> PageAsync(TenantScope scope, int pageSize, string cursor, DeadLetterOrder order, string channelId)
    {
        Scopes.Require(scope);
        pageSize = pageSize == 0 ? DefaultPageSize : pageSize;
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw Invalid("page_size", $"page_size must be between 1 and {MaxPageSize}");
        }

        if (cursor.Length > 0 && !StreamId().IsMatch(cursor))
        {
            throw Invalid("cursor", "cursor is not one this service handed out");
        }

        var db = Db;
        var newestFirst = order == DeadLetterOrder.NewestFirst;
        if (channelId.Length == 0 && scope.AllTenants)
        {
            // Everything: the stream itself is the index.
            var total = await db.StreamLengthAsync(RedisKeys.DeadLetters);
            RedisValue? after = cursor.Length == 0 ? default(RedisValue?) : (RedisValue)("(" + cursor);
            var entries = newestFirst
                ? await db.StreamRangeAsync(RedisKeys.DeadLetters, minId: null, maxId: after, count: pageSize + 1, messageOrder: Order.Descending)
                : await db.StreamRangeAsync(RedisKeys.DeadLetters, minId: after, maxId: null, count: pageSize + 1, messageOrder: Order.Ascending);
            return ToPage([.. entries.Select(ToDeadLetter)], pageSize, total);
        }

        IReadOnlyList<string> indexes;
        if (channelId.Length > 0)
        {
            var owner = await db.HashGetAsync(RedisKeys.DeadLetterChannelTenants, channelId);
            // Another tenant's channel looks exactly like a channel without dead letters.
            indexes = scope.AllTenants || (!owner.IsNullOrEmpty && scope.TenantIds.Contains(owner.ToString()))
                ? [RedisKeys.DeadLettersOfChannel(channelId)]
                : [];
        }
        else
        {
            indexes = [.. scope.TenantIds.Distinct(StringComparer.Ordinal).Select(RedisKeys.DeadLettersOfTenant)];
        }

        if (indexes.Count == 0)
        {
            return new Page([], string.Empty, 0);
        }

        var start = cursor.Length == 0 ? RedisValue.Null : (RedisValue)Member(cursor);
        var batch = db.CreateBatch();
        var counts = indexes.Select(i => batch.SortedSetLengthAsync(i)).ToList();
        var ranges = indexes.Select(i => newestFirst
            ? batch.SortedSetRangeByValueAsync(i, default, start, start.IsNull ? Exclude.None : Exclude.Stop, Order.Descending, 0, pageSize + 1)
            : batch.SortedSetRangeByValueAsync(i, start, default, start.IsNull ? Exclude.None : Exclude.Start, Order.Ascending, 0, pageSize + 1)).ToList();
        batch.Execute();
        var members = (await Task.WhenAll(ranges)).SelectMany(r => r).Select(m => m.ToString());
        // Several tenants' indexes merge into one order; padded members sort as their stream ids do.
        var pageIds = (newestFirst ? members.OrderDescending(StringComparer.Ordinal) : members.Order(StringComparer.Ordinal))
            .Take(pageSize + 1).Select(FromMember).ToList();
        var reads = db.CreateBatch();
        var found = pageIds.Select(id => reads.StreamRangeAsync(RedisKeys.DeadLetters, id, id)).ToList();
        reads.Execute();
        var letters = (await Task.WhenAll(found)).SelectMany(e => e).Select(ToDeadLetter).ToList();
        return ToPage(letters, pageSize, (await Task.WhenAll(counts)).Sum());
    }

    private static Page ToPage(List<DeadLetter> letters, int pageSize, long total) =>
        letters.Count > pageSize
            ? new Page(letters[..pageSize], letters[pageSize - 1].Id, total)
            : new Page(letters, string.Empty, total);

    public sealed record Replayed(IReadOnlyList<DeadLetter> ReplayedLetters, IReadOnlyList<string> NotReplayedIds);

    /// <summary>
    /// Replays the named dead letters of <paramref name="scope"/>, or every one in it when <paramref name="ids"/> is
    /// empty. A dead letter another call is replaying (a double click, two admins) is claimed and not replayed again.
    /// </summary>
    public async Task<Replayed> ReplayAsync(IReadOnlyCollection<string> ids, TenantScope scope)
    {
        Scopes.Require(scope);
        var named = ids.Count > 0 ? ids.Distinct(StringComparer.Ordinal).ToList() : await AllIdsAsync(scope);
        var replayed = new List<DeadLetter>();
        var notReplayed = new List<string>();
        foreach (var id in named)
        {
            if (await ReplayOneAsync(id, scope) is { } letter)
            {
                replayed.Add(letter);
            }
            else
            {
                notReplayed.Add(id);
            }
        }

        return new Replayed(replayed, notReplayed);
    }

    private async Task<List<string>> AllIdsAsync(TenantScope scope)
    {
        var all = new List<string>();
        var cursor = string.Empty;
        do
        {
            var page = await PageAsync(scope, MaxPageSize, cursor, DeadLetterOrder.OldestFirst, string.Empty);
            all.AddRange(page.DeadLetters.Select(d => d.Id));
            cursor = page.NextCursor;
        }
        while (cursor.Length > 0);
        return all;
    }

    private async Task<DeadLetter?> ReplayOneAsync(string id, TenantScope scope)
    {
        if (!StreamId().IsMatch(id))
        {
            return null;
        }

        var db = Db;
        var claim = RedisKeys.DeadLetterReplayClaim(id);
        if (!await db.StringSetAsync(claim, "replaying", ReplayClaim, When.NotExists))
        {
            LogReplayClaimed(id);
            return null;
        }

        // An id not in the stream reads as no entry; FirstOrDefault's default is not StreamEntry.Null (its Values are
        // null, so reading a field of it threw, answered Unknown, and left the claim behind).
        var entries = await db.StreamRangeAsync(RedisKeys.DeadLetters, id, id);
        var entry = entries.Length == 0 ? StreamEntry.Null : entries[0];
        if (entries.Length == 0 || !Scopes.Includes(scope, Get(entry, "tenant")))
        {
            // Gone, or another tenant's (told apart from gone to nobody).
            await db.KeyDeleteAsync(claim);
            return null;
        }

        var work = InboundWork.FromEntries(entry.Values);
        // Recorded before it is queued (same connection, so in that order): the replica that delivers it records
        // its next hops after this one.
        timeline.Record(work.ChannelId, work.MessageId, "replayed");
        // Queued before deleted: a crash in between replays it twice, which CXone's upsert absorbs. The claim is
        // left to expire, so a second click arriving after the delete finds nothing either way.
        await queue.EnqueueAgainAsync(work);
        await db.ScriptEvaluateAsync(Remove, new { stream = (RedisKey)RedisKeys.DeadLetters, prefix = RedisKeys.DeadLetterIndexPrefix, id, member = Member(id) });
        var letter = ToDeadLetter(entry);
        letter.CxoneResponse = string.Empty;
        return letter;
    }

    /// <summary>The padded form of a stream id, whose lexical order is the ids' order.</summary>
    internal static string Member(string streamId)
    {
        var dash = streamId.IndexOf('-', StringComparison.Ordinal);
        return streamId[..dash].PadLeft(15, '0') + "-" + streamId[(dash + 1)..].PadLeft(10, '0');
    }

    internal static string FromMember(string member)
    {
        var dash = member.IndexOf('-', StringComparison.Ordinal);
        return long.Parse(member.AsSpan(0, dash), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "-"
            + long.Parse(member.AsSpan(dash + 1), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

    private static RpcException Invalid(string field, string message) =>
        new(new Status(StatusCode.InvalidArgument, message), new Metadata { { "field", field } });

    private static string Get(StreamEntry entry, string name) => entry.Values.FirstOrDefault(v => v.Name == name).Value.ToString() ?? string.Empty;

    private static DeadLetter ToDeadLetter(StreamEntry entry) => new()
    {
        Id = entry.Id.ToString(),
        Kind = Get(entry, "kind"),
        ChannelId = Get(entry, "channel"),
        ThreadId = Get(entry, "thread"),
        MessageId = Get(entry, "message"),
        TenantId = Get(entry, "tenant"),
        IntegrationId = Get(entry, "integration"),
        // Written before the source was: CXone's, unless no CXone answer was kept.
        ErrorSource = int.TryParse(Get(entry, "source"), out var source) ? (ErrorSource)source
            : Get(entry, "cxoneResponse").Length > 0 ? ErrorSource.Cxone : ErrorSource.Unspecified,
        Reason = Get(entry, "reason"),
        CxoneResponse = Get(entry, "cxoneResponse"),
        Attempts = int.TryParse(Get(entry, "attempts"), out var attempts) ? attempts : 0,
        FailedAt = long.TryParse(Get(entry, "failedAt"), out var at) ? Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(at)) : null,
    };

    [GeneratedRegex(@"^\d{1,19}-\d{1,19}$")]
    private static partial Regex StreamId();

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead letter {Id} is being replayed by another call; not replayed twice")]
    private partial void LogReplayClaimed(string id);
}

/// <summary>Tenant scopes as callers state them: every tenant, or the ones named; a scope naming neither is refused.</summary>
public static class Scopes
{
    public static void Require(TenantScope? scope)
    {
        if (scope is null || (!scope.AllTenants && scope.TenantIds.Count == 0))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "scope: give all_tenants or tenant_ids"), new Metadata { { "field", "scope" } });
        }
    }

    public static bool Includes(TenantScope scope, string tenantId) => scope.AllTenants || (tenantId.Length > 0 && scope.TenantIds.Contains(tenantId));
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class DeadLetterJson : System.Text.Json.Serialization.JsonSerializerContext;
