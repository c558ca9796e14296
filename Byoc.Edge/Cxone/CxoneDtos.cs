using System.Text.Json.Serialization;

namespace Byoc.Edge.Cxone;

// What CXone sends and expects (shared/cxone-contract.md §2). Requests are liberal: every field is optional and
// unknown fields are ignored (the raw body is kept); responses are exact.

public sealed record Brand(long? Id, string? FriendlyName, string? TenantId, long? BusinessUnitId);

public sealed record ThreadReference(string? IdOnExternalPlatform, string? ThreadName);

public sealed record MessageReference(string? IdOnExternalPlatform);

public sealed record MessagePayload(string? Text);

/// <summary>DFO 3.0 puts the text in <c>payload.text</c>; legacy samples put it in <c>text</c>.</summary>
public sealed record MessageContent(string? Type, MessagePayload? Payload, string? Text);

public sealed record Attachment(string? FriendlyName, string? Url, string? MimeType);

public sealed record Recipient(string? IdOnExternalPlatform, string? Name, bool? IsPrimary, bool? IsPrivate);

/// <summary>DFO 3.0 reply or agent-initiated message (§2.3). Some senders say <c>recipients</c>, others <c>endUserRecipients</c>.</summary>
public sealed record OutboundRequest(
    Brand? Brand,
    ThreadReference? Thread,
    MessageContent? MessageContent,
    List<Recipient>? EndUserRecipients,
    List<Recipient>? Recipients,
    List<Attachment>? Attachments,
    MessageReference? ReplyToMessage,
    bool? IsReplyToSpecificMessage);

public sealed record OutboundMessage(string IdOnExternalPlatform, string CreatedAtWithMilliseconds, string? Url);

public sealed record OutboundThread(string IdOnExternalPlatform);

public sealed record EndUserIdentity(string IdOnExternalPlatform, string? FirstName, string? LastName, string? Nickname, string? Image);

public sealed record OutboundRecipient(string IdOnExternalPlatform, string? Name, bool IsPrimary, bool IsPrivate);

/// <summary>
/// The four keys of the single-source sample (§2.3), and a top-level <c>idOnExternalPlatform</c> (the message's) as a
/// hedge: NICE's page says only "a 200 with the message ID from the external platform in a JSON payload" (§5), which
/// is the shape of the legacy answer.
/// </summary>
public sealed record OutboundResponse(
    OutboundMessage Message,
    OutboundThread Thread,
    List<EndUserIdentity> EndUserIdentities,
    List<OutboundRecipient> Recipients,
    string IdOnExternalPlatform);

public sealed record LegacyPost(string? Id, string? IdOnExternalPlatform, string? ChannelId);

/// <summary>
/// Legacy agent reply (§2.2): the body is not public; these are the fields samples show. The thread is
/// <c>post.idOnExternalPlatform</c>, else <c>thread.idOnExternalPlatform</c>, else the path's <c>{postId}</c> (§5).
/// </summary>
public sealed record LegacyReplyRequest(
    string? Id,
    LegacyPost? Post,
    ThreadReference? Thread,
    string? ReplyToMessageId,
    string? ReplyToMessageIdOnExternalPlatform,
    string? Title,
    string? Content,
    MessageContent? MessageContent,
    List<Attachment>? Attachments)
{
    /// <summary>The thread's id as the body names it, preferred to the path's, whose meaning is not public.</summary>
    public string ThreadId(string postId) =>
        NonEmpty(Post?.IdOnExternalPlatform) ?? NonEmpty(Thread?.IdOnExternalPlatform) ?? postId;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

public sealed record LegacyReplyResponse(string IdOnExternalPlatform);

public sealed record RecipientsValidationRequest(List<Recipient>? EndUserRecipients, List<Recipient>? Recipients);

/// <summary>The 200 answer: CXone decides by the status code; an empty object keeps JSON parsers content.</summary>
public sealed record RecipientsValid;

public sealed record RecipientValidationError(List<string> Path, string Message);

/// <summary>CXone's own 400 shape for a refused recipient (§2.4), not problem details.</summary>
public sealed record RecipientsValidationFailure(string DisplayErrorMessage, string ErrorCode, List<RecipientValidationError> Errors)
{
    public const string OutboundValidationFailed = "outboundValidationFailed";
}

public sealed record SenderActionBody(string? Action);

public sealed record AuthorUser(long? Id, string? FirstName, string? Surname);

/// <summary>
/// The documented shape (§2.5), for OpenAPI; the handler reads the body itself (<see cref="SenderActions"/>), since the
/// shape is not public and a top-level <c>action</c> is accepted too.
/// </summary>
public sealed record SenderActionRequest(Brand? Brand, SenderActionBody? SenderAction, AuthorUser? AuthorUser, string? Action);

/// <summary>The token request as documented; the endpoint also takes it form-encoded or with HTTP Basic.</summary>
public sealed record TokenRequest(
    [property: JsonPropertyName("grant_type")] string? GrantType,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("client_secret")] string? ClientSecret);

public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn);

/// <summary>RFC 6749 §5.2 error body.</summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription);

public sealed record RotateClientSecretRequest(int? PreviousSecretOverlapMinutes);

public sealed record ClientSecretIssued(string ClientId, string ClientSecret, DateTimeOffset? PreviousSecretValidUntil);

/// <summary>The previous client secret and its tokens are revoked; only this generation's tokens are honoured.</summary>
public sealed record PreviousSecretRevoked(long CurrentGeneration);

public sealed record ChannelRefused(string ChannelId, string IntegrationId, int StatusCode, string Body);

public sealed record ChannelRefusalList(IReadOnlyList<ChannelRefused> Refusals);
