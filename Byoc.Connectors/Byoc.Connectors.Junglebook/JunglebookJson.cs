using System.Text.Json;
using System.Text.Json.Serialization;

namespace Byoc.Connectors.Junglebook;

/// <summary>A Junglebook webhook: a message, a receipt for a profile's message, or a customer typing.</summary>
public sealed record JunglebookEvent(string Type, string? Profile, JunglebookMessage? Message, string? MessageId, string? Status, DateTimeOffset? At, string? ThreadId, bool? On);

public sealed record JunglebookMessage(string Id, string ThreadId, string? ThreadTitle, bool Public, JunglebookUser Author, string? Text, IReadOnlyList<JunglebookAttachment>? Attachments, DateTimeOffset CreatedAt);

public sealed record JunglebookUser(string Id, string? Name, string? Handle, string? Avatar);

public sealed record JunglebookAttachment(string Name, string Url);

/// <summary>A profile's message: into a thread, or to a user (which opens a private thread).</summary>
public sealed record JunglebookSend(string? ThreadId, string? RecipientUserId, string Text, IReadOnlyList<JunglebookAttachment> Attachments, string? ReplyTo);

public sealed record JunglebookSent(string Id, string ThreadId, DateTimeOffset CreatedAt, string? Url);

public sealed record JunglebookTyping(string ThreadId, bool On);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(JunglebookEvent))]
[JsonSerializable(typeof(JunglebookSend))]
[JsonSerializable(typeof(JunglebookSent))]
[JsonSerializable(typeof(JunglebookTyping))]
public sealed partial class JunglebookJson : JsonSerializerContext;
