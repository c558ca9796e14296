using System.Globalization;
using Byoc.Conversations.V1;
using Google.Protobuf.WellKnownTypes;
using StackExchange.Redis;

namespace Byoc.Conversations.Operations;

/// <summary>
/// Each platform account's last success (a message the platform sent us, or took from us) and last failure with
/// its reason. Recording never waits: it is a fact for the health page, not part of delivering a message.
/// </summary>
public sealed class AccountHealthLog(IConnectionMultiplexer redis, TimeProvider time)
{
    public void Succeeded(string channelId) =>
        redis.GetDatabase().HashSet(RedisKeys.AccountHealth(channelId), "successAt", Now(), flags: CommandFlags.FireAndForget);

    public void Failed(string channelId, string reason) =>
        redis.GetDatabase().HashSet(RedisKeys.AccountHealth(channelId),
            [new HashEntry("failureAt", Now()), new HashEntry("failure", reason.Length > 500 ? reason[..500] : reason)],
            CommandFlags.FireAndForget);

    /// <summary>The health of many accounts in one round trip.</summary>
    public async Task<IReadOnlyList<AccountHealth>> ReadAsync(IReadOnlyList<(Registry.Channel Channel, string TenantId)> channels)
    {
        var batch = redis.GetDatabase().CreateBatch();
        var reads = channels.Select(c => batch.HashGetAllAsync(RedisKeys.AccountHealth(c.Channel.Id))).ToList();
        batch.Execute();
        var answers = await Task.WhenAll(reads);
        return [.. channels.Zip(answers, (c, fields) =>
        {
            var values = fields.ToDictionary(f => f.Name.ToString(), f => f.Value.ToString(), StringComparer.Ordinal);
            return new AccountHealth
            {
                ChannelId = c.Channel.Id,
                TenantId = c.TenantId,
                Connector = c.Channel.Connector,
                AccountId = c.Channel.AccountId,
                ChannelName = c.Channel.Name,
                LastSuccessAt = At(values, "successAt"),
                LastFailureAt = At(values, "failureAt"),
                LastFailure = values.GetValueOrDefault("failure") ?? string.Empty,
            };
        })];
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static Timestamp? At(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(ms))
            : null;
}
