using StackExchange.Redis;

namespace Byoc.Conversations.Inbound;

/// <summary>
/// One unit of inbound work as it sits in a partition's stream: a message to store at CXone, or a status to set.
/// The CXone request body is built at ingest, so delivery is a plain send.
/// </summary>
public sealed record InboundWork(string Kind, string ChannelId, string ThreadId, string MessageId, string Body)
{
    public const string MessageKind = "message";
    public const string StatusKind = "status";

    /// <summary>The key whose order must be kept: one thread of one channel (a status orders with its message id).</summary>
    public string OrderKey => $"{ChannelId}\n{ThreadId}";

    public NameValueEntry[] ToEntries() =>
    [
        new("kind", Kind),
        new("channel", ChannelId),
        new("thread", ThreadId),
        new("message", MessageId),
        new("body", Body),
    ];

    public static InboundWork FromEntries(NameValueEntry[] values)
    {
        string Get(string name) => values.FirstOrDefault(v => v.Name == name).Value.ToString() ?? string.Empty;
        return new InboundWork(Get("kind"), Get("channel"), Get("thread"), Get("message"), Get("body"));
    }
}
