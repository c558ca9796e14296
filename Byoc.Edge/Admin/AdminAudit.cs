using System.Globalization;
using StackExchange.Redis;

namespace Byoc.Edge.Admin;

/// <summary>
/// Who changed what, and when: every change through the admin API or pages is recorded in a capped Redis stream (one
/// for all, one per tenant), newest read first. The record names the target, never a secret.
/// </summary>
public sealed class AdminAudit(IConnectionMultiplexer redis, TimeProvider time)
{
    public const string AllKey = "byoc:v1:edge:admin:audit";
    private const int Cap = 100_000;

    public sealed record Entry(string Id, DateTimeOffset At, string Who, string Via, string Action, string Target, string? TenantId);

    public static string TenantKey(string tenantId) => $"{AllKey}:tenant:{tenantId}";

    public async Task RecordAsync(AdminUser who, string action, string target, string? tenantId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        NameValueEntry[] fields =
        [
            new("at", time.GetUtcNow().ToUnixTimeMilliseconds()),
            new("who", who.Name),
            new("via", who.Via),
            new("action", action),
            new("target", target),
            new("tenant", tenantId ?? string.Empty),
        ];
        var db = redis.GetDatabase();
        var all = db.StreamAddAsync(AllKey, fields, maxLength: Cap, useApproximateMaxLength: true);
        if (tenantId is { Length: > 0 })
        {
            await db.StreamAddAsync(TenantKey(tenantId), fields, maxLength: Cap, useApproximateMaxLength: true);
        }

        await all;
    }

    /// <summary>The newest entries the user may see: all of them for a user of every tenant, else their tenants' merged.</summary>
    public async Task<IReadOnlyList<Entry>> ReadAsync(AdminUser user, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = redis.GetDatabase();
        var keys = user.TenantIds is null ? [AllKey] : user.TenantIds.Select(TenantKey).ToArray();
        var pages = await Task.WhenAll(keys.Select(k => db.StreamRangeAsync(k, "-", "+", count, Order.Descending)));
        return [.. pages.SelectMany(p => p).Select(ToEntry).OrderByDescending(e => e.At).Take(count)];
    }

    private static Entry ToEntry(StreamEntry entry)
    {
        string Get(string name) => entry.Values.FirstOrDefault(v => v.Name == name).Value.ToString() ?? string.Empty;
        var at = long.TryParse(Get("at"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.MinValue;
        var tenant = Get("tenant");
        return new Entry(entry.Id.ToString(), at, Get("who"), Get("via"), Get("action"), Get("target"), tenant.Length == 0 ? null : tenant);
    }
}
