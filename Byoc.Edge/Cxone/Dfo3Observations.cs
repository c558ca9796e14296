using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Byoc.Edge.Cxone;

/// <summary>
/// The DFO 3.0 request and Byoc's answer, logged at Information once per integration per hour (cxone-contract §5: both
/// shapes rest on one third-party implementation). An operator switching a tenant to DFO 3.0 reads them to confirm
/// what that tenant really sends and whether the answer suits it, without a log line per message.
/// </summary>
public sealed partial class Dfo3Observations(TimeProvider time, ILogger<Dfo3Observations> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private const int Cap = 16 * 1024;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastLogged = new(StringComparer.Ordinal);

    public void Observe(string integrationId, string channelId, byte[] rawRequest, OutboundResponse answer)
    {
        if (!logger.IsEnabled(LogLevel.Information) || !IsDue(integrationId))
        {
            return;
        }

        // The request is redacted as for the timeline; the answer holds ids and names only.
        var request = Encoding.UTF8.GetString(RawRequest.ForTimeline(rawRequest, Cap).Span);
        var response = JsonSerializer.Serialize(answer, CxoneJson.Default.OutboundResponse);
        LogExchange(logger, integrationId, channelId, request, response);
    }

    private bool IsDue(string integrationId)
    {
        var now = time.GetUtcNow();
        while (true)
        {
            if (!_lastLogged.TryGetValue(integrationId, out var last))
            {
                if (_lastLogged.TryAdd(integrationId, now))
                {
                    return true;
                }

                continue;
            }

            if (now - last < Interval)
            {
                return false;
            }

            // Only the replica's caller that wins the swap logs; the others see the new time.
            if (_lastLogged.TryUpdate(integrationId, now, last))
            {
                return true;
            }
        }
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information,
        Message = "DFO 3.0 outbound observed for integration {IntegrationId}, channel {ChannelId} (logged once an hour per integration): request {Request}; Byoc answered {Response}")]
    private static partial void LogExchange(ILogger logger, string integrationId, string channelId, string request, string response);
}
