using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Byoc.Connectors.Sdk;
using Byoc.Connectors.V1;
using Byoc.Messages.V1;
using Google.Protobuf.WellKnownTypes;

namespace Byoc.Connectors.Webhook;

/// <summary>
/// Any platform without code: its signed JSON webhooks are read through JSON paths kept in the account's
/// settings, and agents' messages go to its <c>outboundUrl</c> as a signed POST of a documented payload
/// (docs/connectors/webhook.md). Both directions sign <c>{timestamp}.{body}</c> with <c>webhookSecret</c>.
/// </summary>
public sealed class WebhookPlatform(IHttpClientFactory httpClients, TimeProvider time) : IPlatform
{
    public const string HttpClientName = "webhook";

    public PlatformDescription Description { get; } = new(
        "webhook",
        "Generic webhook",
        "forum",   // CXone has no "custom" externalPlatformIcon (Byoc.Deployment.CxoneIcons); forum fits any chat-like platform.
        new Capabilities { Attachments = true, Typing = true },
        [
            AccountSetting.Secret("webhookSecret", "Signing secret (both directions)"),
            AccountSetting.Required("outboundUrl", "URL agents' messages are POSTed to"),
            AccountSetting.Optional("timestampHeader", "Timestamp header (default X-Byoc-Timestamp)"),
            AccountSetting.Optional("signatureHeader", "Signature header (default X-Byoc-Signature)"),
            AccountSetting.Required("map.threadId", "JSON path of the thread id"),
            AccountSetting.Optional("map.threadName", "JSON path of the thread name"),
            AccountSetting.Required("map.authorId", "JSON path of the author id"),
            AccountSetting.Optional("map.authorName", "JSON path of the author name"),
            AccountSetting.Required("map.messageId", "JSON path of the message id"),
            AccountSetting.Optional("map.text", "JSON path of the text"),
            AccountSetting.Optional("map.attachments", "JSON path of the attachments array"),
            AccountSetting.Optional("map.attachmentUrl", "JSON path of an attachment's URL, in an item (default $.url)"),
            AccountSetting.Optional("map.attachmentName", "JSON path of an attachment's name, in an item (default $.name)"),
            AccountSetting.Optional("map.createdAt", "JSON path of the ISO 8601 creation time"),
            AccountSetting.Optional("response.messageId", "JSON path of the message id in the platform's answer (default $.id)"),
            AccountSetting.Optional("recipientPattern", "Regular expression a recipient id must match"),
            AccountSetting.Optional("recipientValidationUrl", "URL asked whether recipients exist (200 = valid)"),
        ]);

    public Task<IReadOnlyList<PlatformEvent>> ParseWebhookAsync(Sdk.Webhook webhook, CancellationToken cancellationToken)
    {
        var account = webhook.Account;
        WebhookSignature.Verify(account.Setting("webhookSecret"), webhook.Header(account.Setting("timestampHeader", "X-Byoc-Timestamp")),
            webhook.Header(account.Setting("signatureHeader", "X-Byoc-Signature")), webhook.Body.Span, time);
        using var document = webhook.ReadJson(body => JsonDocument.Parse(body));
        var root = document.RootElement;

        string Required(string setting) => JsonPath.Text(root, account.Setting(setting)) is { Length: > 0 } value
            ? value
            : throw new MalformedWebhookException(account.Setting(setting), $"the webhook has nothing at {setting} = {account.Setting(setting)}");
        string Optional(string setting) => JsonPath.Text(root, account.FindSetting(setting)) ?? string.Empty;
        var attachments = account.FindSetting("map.attachments") is { } list && JsonPath.Select(root, list) is { ValueKind: JsonValueKind.Array } items
            ? items.EnumerateArray().Select(item => new Attachment
            {
                Url = JsonPath.Text(item, account.Setting("map.attachmentUrl", "$.url")) ?? string.Empty,
                FileName = JsonPath.Text(item, account.Setting("map.attachmentName", "$.name")) ?? string.Empty,
            }).Where(a => a.Url.Length > 0)
            : [];
        var message = new PlatformMessage
        {
            ExternalMessageId = Required("map.messageId"),
            ExternalThreadId = Required("map.threadId"),
            ThreadName = Optional("map.threadName"),
            Author = new EndUser { ExternalId = Required("map.authorId"), FirstName = Optional("map.authorName") },
            Content = new MessageContent { Text = Optional("map.text"), Attachments = { attachments } },
            CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.TryParse(Optional("map.createdAt"), out var at) ? at : time.GetUtcNow()),
        };
        return Task.FromResult<IReadOnlyList<PlatformEvent>>([new MessageReceived(message)]);
    }

    public async Task<SentMessage> SendAsync(PlatformAccount account, OutgoingMessage message, CancellationToken cancellationToken)
    {
        var payload = new OutboundMessage("message", message.IdempotencyKey, account.AccountId, NullIfEmpty(message.ThreadId),
            [.. message.Recipients.Select(r => new OutboundRecipient(r.ExternalId, NullIfEmpty(r.Name), r.IsPrimary))],
            message.Content.Text,
            [.. message.Content.Attachments.Select(a => new OutboundAttachment(a.Url, NullIfEmpty(a.FileName), NullIfEmpty(a.MimeType), a.SizeBytes == 0 ? null : a.SizeBytes))],
            message.ReplyToMessageId);
        using var response = await PostAsync(account, account.Setting("outboundUrl"), JsonSerializer.SerializeToUtf8Bytes(payload, WebhookJson.Default.OutboundMessage), cancellationToken);
        // The message is delivered by now: an answer without an id must not make CXone send it again.
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new SentMessage(JsonPath.Text(answer, account.Setting("response.messageId", "$.id")) ?? message.IdempotencyKey);
    }

    public async Task<RecipientCheck> ValidateRecipientsAsync(PlatformAccount account, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken)
    {
        if (account.FindSetting("recipientPattern") is { } pattern
            && recipients.Where(r => !Regex.IsMatch(r.ExternalId, pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))).Select(r => r.ExternalId).ToArray() is { Length: > 0 } invalid)
        {
            return RecipientCheck.Invalid("This recipient id is not valid on the platform.", [.. invalid.Select(id => $"{id} does not match {pattern}")]);
        }

        if (account.FindSetting("recipientValidationUrl") is { } url)
        {
            var ask = new RecipientQuery([.. recipients.Select(r => new OutboundRecipient(r.ExternalId, NullIfEmpty(r.Name), r.IsPrimary))]);
            try
            {
                using var response = await PostAsync(account, url, JsonSerializer.SerializeToUtf8Bytes(ask, WebhookJson.Default.RecipientQuery), cancellationToken, retrySafe: true);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return RecipientCheck.Invalid("The platform does not know this recipient.", $"{url} answered {(int)response.StatusCode}");
                }
            }
            catch (PlatformRejectedException e)
            {
                return RecipientCheck.Invalid("The platform does not know this recipient.", $"{url}: {e.Message}");
            }
        }

        return RecipientCheck.Valid;
    }

    public async Task SendSenderActionAsync(PlatformAccount account, string threadId, SenderAction action, CancellationToken cancellationToken)
    {
        var typing = new OutboundTyping("typing", account.AccountId, threadId, action == SenderAction.TypingOn);
        // A typing event shown twice is harmless: it may be posted again after a 5xx or a timeout.
        using var _ = await PostAsync(account, account.Setting("outboundUrl"), JsonSerializer.SerializeToUtf8Bytes(typing, WebhookJson.Default.OutboundTyping), cancellationToken, retrySafe: true);
    }

    /// <summary>
    /// A signed POST. The client's resilience pipeline retries it when it never connected; after 5xx or a timeout
    /// only when <paramref name="retrySafe"/> (a message is not: the platform may already have shown it).
    /// </summary>
    private async Task<HttpResponseMessage> PostAsync(PlatformAccount account, string url, byte[] body, CancellationToken cancellationToken, bool retrySafe = false)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } };
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.Add(account.Setting("timestampHeader", "X-Byoc-Timestamp"), timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(account.Setting("signatureHeader", "X-Byoc-Signature"), "sha256=" + WebhookSignature.Sign(account.Setting("webhookSecret"), timestamp, body));
        if (retrySafe)
        {
            PlatformApi.RetrySafe(request);
        }

        return await new PlatformApi(httpClients.CreateClient(HttpClientName), "the platform").SendAsync(request, cancellationToken);
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
