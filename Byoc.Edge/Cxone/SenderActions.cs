using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Proto = Byoc.Messages.V1;

namespace Byoc.Edge.Cxone;

/// <summary>
/// Reads a typing indicator from whatever CXone sends (cxone-contract §5: neither path nor body is public):
/// <c>senderAction.action</c>, a top-level <c>action</c>, or <c>senderAction</c> as a bare string, in any casing.
/// A typing indicator is worth nothing once late, so a body that cannot be read is logged and dropped, never
/// answered with an error CXone would retry or show.
/// </summary>
public sealed partial class SenderActions(ILogger<SenderActions> logger)
{
    public Proto.SenderAction? Read(byte[] raw, string channelId, string threadId)
    {
        var action = Find(raw);
        if (CxoneMapping.ToSenderAction(action) is { } known)
        {
            return known;
        }

        NotUnderstood(action is null ? "no action found" : "unknown action", channelId, threadId, raw);
        return null;
    }

    /// <summary>The body could not even be read (not JSON, too large): dropped, and said so.</summary>
    public void NotUnderstood(string reason, string channelId, string threadId, byte[]? raw)
    {
        LogNotUnderstood(logger, reason, channelId, threadId);
        if (raw is not null && logger.IsEnabled(LogLevel.Debug))
        {
            // Only at Debug: the body names the agent; the timeline's redaction applies here too.
            LogBody(logger, channelId, threadId, Encoding.UTF8.GetString(RawRequest.ForTimeline(raw, 4096).Span));
        }
    }

    private static string? Find(byte[] raw)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(raw, new JsonNodeOptions { PropertyNameCaseInsensitive = true });
        }
        catch (JsonException)
        {
            return null;
        }

        if (root is not JsonObject body)
        {
            return null;
        }

        try
        {
            return body["senderAction"] switch
            {
                JsonObject nested when Text(nested["action"]) is { } text => text,
                JsonValue bare when Text(bare) is { } text => text,
                _ => Text(body["action"]),
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Repeated keys ("action" and "Action") make a case-insensitive object throw when read.
            return null;
        }
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning,
        Message = "A sender action for channel {ChannelId}, thread {ThreadId} was not understood ({Reason}); answered 204 and dropped")]
    private static partial void LogNotUnderstood(ILogger logger, string reason, string channelId, string threadId);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Debug, Message = "The sender action not understood for channel {ChannelId}, thread {ThreadId}: {Body}")]
    private static partial void LogBody(ILogger logger, string channelId, string threadId, string body);
}
