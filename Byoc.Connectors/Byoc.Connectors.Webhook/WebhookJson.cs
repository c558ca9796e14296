using System.Text.Json;
using System.Text.Json.Serialization;

namespace Byoc.Connectors.Webhook;

/// <summary>What the connector POSTs to <c>outboundUrl</c>: an agent's message (documented in docs/connectors/webhook.md).</summary>
public sealed record OutboundMessage(string Type, string IdempotencyKey, string AccountId, string? ThreadId, IReadOnlyList<OutboundRecipient> Recipients, string Text, IReadOnlyList<OutboundAttachment> Attachments, string? ReplyToMessageId);

public sealed record OutboundRecipient(string Id, string? Name, bool Primary);

public sealed record OutboundAttachment(string Url, string? Name, string? MimeType, long? SizeBytes);

/// <summary>The agent started or stopped typing.</summary>
public sealed record OutboundTyping(string Type, string AccountId, string ThreadId, bool On);

/// <summary>What the connector POSTs to <c>recipientValidationUrl</c>.</summary>
public sealed record RecipientQuery(IReadOnlyList<OutboundRecipient> Recipients);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OutboundMessage))]
[JsonSerializable(typeof(OutboundTyping))]
[JsonSerializable(typeof(RecipientQuery))]
public sealed partial class WebhookJson : JsonSerializerContext;
