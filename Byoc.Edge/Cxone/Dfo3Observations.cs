using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

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

        // Shapes only: which keys, of which types, how long. Values (the customer's text, names, recipients, signed
        // links) are personal data and stay out of an Information log.
        var request = Shape(rawRequest.AsSpan(0, Math.Min(rawRequest.Length, Cap)).ToArray());
        var response = Shape(JsonSerializer.SerializeToUtf8Bytes(answer, CxoneJson.Default.OutboundResponse));
        LogExchange(logger, integrationId, channelId, request, response);
    }

    /// <summary>The JSON with every string replaced by <c>"string(N)"</c> and every number by <c>"number"</c>.</summary>
    public static string Shape(byte[] json)
    {
        try
        {
            return JsonNode.Parse(json) is { } root ? Shaped(root)!.ToJsonString() : "null";
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return $"(not JSON: {json.Length} bytes)";
        }

        static JsonNode? Shaped(JsonNode? node) => node switch
        {
            JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Shaped(p.Value)))),
            JsonArray a => new JsonArray([.. a.Select(Shaped)]),
            JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create($"string({v.GetValue<string>().Length})"),
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonValue.Create("number"),
            JsonValue v => JsonValue.Create(v.GetValueKind().ToString().ToLowerInvariant()),
            _ => null,
        };
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
        Message = "DFO 3.0 outbound observed for integration {IntegrationId}, channel {ChannelId} (logged once an hour per integration; values replaced by their types): request {Request}; Byoc answered {Response}")]
    private static partial void LogExchange(ILogger logger, string integrationId, string channelId, string request, string response);
}
