using Byoc.Conversations.V1;
using StackExchange.Redis;

namespace Byoc.Conversations.Operations;

/// <summary>
/// Finds a message by any of its ids without knowing its channel: for each channel in the caller's scope, one
/// pipelined round trip asks the ID map both ways (CXone id, platform message id) and whether a timeline exists
/// under the id (a message the ID map has forgotten, or never held, like a refused agent message).
/// </summary>
public sealed class MessageFinder(IConnectionMultiplexer redis, ScopedChannels scoped, MessageTimeline timeline)
{
    public async Task<IReadOnlyList<MessageMatch>> FindAsync(TenantScope scope, string id)
    {
        var channels = await scoped.OfAsync(scope);
        var batch = redis.GetDatabase().CreateBatch();
        var lookups = channels.Select(c => (
            c.Channel,
            c.Integration,
            ByCxone: batch.StringGetAsync(RedisKeys.IdByCxoneId(c.Channel.Id, id)),
            ByPlatform: batch.StringGetAsync(RedisKeys.IdByPlatformId(c.Channel.Id, $"{(int)IdKind.Message}\n{id}")),
            Timeline: batch.KeyExistsAsync(RedisKeys.Timeline(c.Channel.Id, id)))).ToList();
        batch.Execute();
        await Task.WhenAll(lookups.SelectMany(l => new Task[] { l.ByCxone, l.ByPlatform, l.Timeline }));

        var matches = new List<MessageMatch>();
        foreach (var (channel, integration, byCxone, byPlatform, hasTimeline) in lookups)
        {
            MessageMatch Match(string matchedBy, IdKind kind, string cxoneId, string platformId) => new()
            {
                ChannelId = channel.Id,
                TenantId = integration.TenantId,
                IntegrationId = integration.Id,
                Connector = channel.Connector,
                AccountId = channel.AccountId,
                MatchedBy = matchedBy,
                Kind = kind,
                CxoneId = cxoneId,
                PlatformId = platformId,
            };

            if (!byCxone.Result.IsNullOrEmpty)
            {
                var text = byCxone.Result.ToString();
                var newline = text.IndexOf('\n', StringComparison.Ordinal);
                matches.Add(Match("cxone_id", (IdKind)int.Parse(text.AsSpan(0, newline), System.Globalization.CultureInfo.InvariantCulture), id, text[(newline + 1)..]));
            }
            else if (hasTimeline.Result)
            {
                matches.Add(Match("cxone_id", IdKind.Message, id, string.Empty));
            }

            if (!byPlatform.Result.IsNullOrEmpty)
            {
                matches.Add(Match("platform_id", IdKind.Message, byPlatform.Result.ToString(), id));
            }
        }

        foreach (var match in matches)
        {
            match.Hops.AddRange(await timeline.ReadAsync(match.ChannelId, match.CxoneId));
        }

        return matches;
    }
}
