using System.Globalization;
using Byoc.Conversations.V1;
using Proto = Byoc.Messages.V1;

namespace Byoc.Edge.Cxone;

/// <summary>Between CXone's JSON and the canonical message model of <c>message.proto</c>.</summary>
public static class CxoneMapping
{
    public static Proto.MessageContent ToContent(MessageContent? content, string? fallbackText, IEnumerable<Attachment>? attachments)
    {
        var result = new Proto.MessageContent
        {
            Text = content?.Payload?.Text ?? content?.Text ?? fallbackText ?? string.Empty,
            CxoneType = content?.Type ?? "TEXT",
        };
        result.Attachments.Add((attachments ?? []).Where(a => !string.IsNullOrEmpty(a.Url)).Select(a => new Proto.Attachment
        {
            FileName = a.FriendlyName ?? string.Empty,
            Url = a.Url,
            MimeType = a.MimeType ?? string.Empty,
        }));
        return result;
    }

    public static IEnumerable<Proto.Recipient> ToRecipients(IEnumerable<Recipient>? recipients) =>
        (recipients ?? []).Where(r => !string.IsNullOrEmpty(r.IdOnExternalPlatform)).Select(r => new Proto.Recipient
        {
            ExternalId = r.IdOnExternalPlatform,
            Name = r.Name ?? string.Empty,
            IsPrimary = r.IsPrimary ?? false,
            IsPrivate = r.IsPrivate ?? false,
        });

    /// <summary>Any casing: the contract names the values, not how CXone spells them (§5).</summary>
    public static Proto.SenderAction? ToSenderAction(string? action) => action?.Trim().ToUpperInvariant() switch
    {
        "ISTYPINGON" => Proto.SenderAction.TypingOn,
        "ISTYPINGOFF" => Proto.SenderAction.TypingOff,
        _ => null,
    };

    /// <summary>
    /// The DFO 3.0 answer: the four keys and the message id at the top as well. The thread falls back to the one CXone named and the recipients to the ones it sent,
    /// so the four keys are always there even when the connector reports nothing new.
    /// </summary>
    public static OutboundResponse ToOutboundResponse(DeliverResponse delivered, string requestThreadId, IEnumerable<Recipient>? requested)
    {
        var createdAt = (delivered.CreatedAt?.ToDateTimeOffset() ?? DateTimeOffset.UtcNow)
            .ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
        var recipients = delivered.Recipients.Count > 0
            ? delivered.Recipients.Select(r => new OutboundRecipient(r.ExternalId, NullIfEmpty(r.Name), r.IsPrimary, r.IsPrivate))
            : ToRecipients(requested).Select(r => new OutboundRecipient(r.ExternalId, NullIfEmpty(r.Name), r.IsPrimary, r.IsPrivate));
        return new OutboundResponse(
            new OutboundMessage(delivered.MessageId, createdAt, NullIfEmpty(delivered.MessageUrl)),
            new OutboundThread(string.IsNullOrEmpty(delivered.ThreadId) ? requestThreadId : delivered.ThreadId),
            [.. delivered.EndUserIdentities.Select(u => new EndUserIdentity(
                u.ExternalId, NullIfEmpty(u.FirstName), NullIfEmpty(u.LastName), NullIfEmpty(u.Nickname), NullIfEmpty(u.ImageUrl)))],
            [.. recipients],
            delivered.MessageId);
    }

    public static RecipientsValidationFailure ToValidationFailure(ValidateRecipientsResponse answer)
    {
        var message = string.IsNullOrEmpty(answer.DisplayErrorMessage) ? "Invalid recipient" : answer.DisplayErrorMessage;
        var errors = answer.Errors.Count > 0
            ? answer.Errors.Select(e => new RecipientValidationError([.. e.Path], e.Message)).ToList()
            : [new RecipientValidationError(["idOnExternalPlatform"], message)];
        return new RecipientsValidationFailure(message, RecipientsValidationFailure.OutboundValidationFailed, errors);
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;
}
