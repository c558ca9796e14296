using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Connectors.Sdk;
using Byoc.Connectors.V1;
using Byoc.Messages.V1;
using Google.Protobuf.WellKnownTypes;

namespace Byoc.Connectors.Junglebook;

/// <summary>
/// Junglebook, the CXone guide's example network: each company profile (Monkey Kingdom, Man Village) is one
/// account and one CXone point of contact; public posts and private conversations are threads. Webhooks are signed
/// with HMAC-SHA256 over "{timestamp}.{body}"; the REST API takes the profile's bearer token.
/// </summary>
public sealed class JunglebookPlatform(IHttpClientFactory httpClients, TimeProvider time) : IPlatform
{
    public const string HttpClientName = "junglebook";

    public PlatformDescription Description { get; } = new(
        "junglebook",
        "Junglebook",
        "forum",
        new Capabilities
        {
            MaxTextLength = 2000,
            Attachments = true,
            MaxAttachmentBytes = 10 * 1024 * 1024,
            AttachmentMimeTypes = { "image/*", "application/pdf" },
            Typing = true,
            DeliveryReceipts = true,
            ReadReceipts = true,
            PublicThreads = true,
        },
        [
            AccountSetting.Secret("token", "Profile API token"),
            AccountSetting.Secret("webhookSecret", "Webhook signing secret"),
        ]);

    public Task<IReadOnlyList<PlatformEvent>> ParseWebhookAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        WebhookSignature.Verify(webhook.Account.Setting("webhookSecret"), webhook.Header("X-Junglebook-Timestamp"), webhook.Header("X-Junglebook-Signature"), webhook.Body.Span, time);
        var hook = webhook.ReadJson(body => JsonSerializer.Deserialize(body.Span, JunglebookJson.Default.JunglebookEvent));
        // A genuine event without what it needs is answered 400 naming the field (see MalformedWebhookException).
        var type = MalformedWebhookException.Required(hook?.Type, "type");
        IReadOnlyList<PlatformEvent> events = (type, hook!) switch
        {
            ("message", var e) => [new MessageReceived(ToPlatformMessage(MalformedWebhookException.Required(e.Message, "message")))],
            ("receipt", { Status: "delivered" or "read" } e) => [new ReceiptReceived(MalformedWebhookException.Required(e.MessageId, "messageId"), e.Status == "read" ? ReceiptStatus.Seen : ReceiptStatus.Delivered, e.At ?? time.GetUtcNow())],
            ("typing", var e) => [new TypingReceived(MalformedWebhookException.Required(e.ThreadId, "threadId"), e.On ?? false)],
            _ => [],
        };
        return Task.FromResult(events);
    }

    public async Task<SentMessage> SendAsync(PlatformAccount account, OutgoingMessage message, CancellationToken cancellationToken)
    {
        var recipient = message.PrimaryRecipient;
        var body = new JunglebookSend(
            string.IsNullOrEmpty(message.ThreadId) ? null : message.ThreadId,
            string.IsNullOrEmpty(message.ThreadId) ? recipient?.ExternalId : null,
            message.Content.Text,
            [.. message.Content.Attachments.Select(a => new JunglebookAttachment(string.IsNullOrEmpty(a.FileName) ? "attachment" : a.FileName, a.Url))],
            message.ReplyToMessageId);
        using var response = await Api(account).PostAsync($"profiles/{Uri.EscapeDataString(account.AccountId)}/messages",
            JsonContent.Create(body, JunglebookJson.Default.JunglebookSend), cancellationToken);
        var sent = await response.Content.ReadFromJsonAsync(JunglebookJson.Default.JunglebookSent, cancellationToken)
            ?? throw new PlatformUnavailableException("Junglebook answered without a message");
        return new SentMessage(sent.Id, string.IsNullOrEmpty(message.ThreadId) ? sent.ThreadId : null, sent.CreatedAt, sent.Url,
            recipient is null ? [] : [new EndUser { ExternalId = recipient.ExternalId, Nickname = recipient.Name }]);
    }

    public Task<RecipientCheck> ValidateRecipientsAsync(PlatformAccount account, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken) =>
        RecipientCheck.ProbeEachAsync(recipients, recipient => Api(account).CallAsync(HttpMethod.Get, $"users/{Uri.EscapeDataString(recipient.ExternalId)}", null, cancellationToken),
            "This person is not on Junglebook.", recipient => $"{recipient.ExternalId} is not a Junglebook user");

    public Task SendSenderActionAsync(PlatformAccount account, string threadId, SenderAction action, CancellationToken cancellationToken) =>
        Api(account).CallAsync(HttpMethod.Post, $"profiles/{Uri.EscapeDataString(account.AccountId)}/typing",
            JsonContent.Create(new JunglebookTyping(threadId, action == SenderAction.TypingOn), JunglebookJson.Default.JunglebookTyping), cancellationToken);

    public async Task<bool> CheckAccountAsync(PlatformAccount account, CancellationToken cancellationToken)
    {
        await Api(account).CallAsync(HttpMethod.Get, "me", null, cancellationToken);
        return true;
    }

    private static PlatformMessage ToPlatformMessage(JunglebookMessage m)
    {
        MalformedWebhookException.Required(m.Id, "message.id");
        MalformedWebhookException.Required(m.ThreadId, "message.threadId");
        MalformedWebhookException.Required(MalformedWebhookException.Required(m.Author, "message.author").Id, "message.author.id");
        if (m.Attachments?.Any(a => string.IsNullOrEmpty(a?.Url)) == true)
        {
            throw new MalformedWebhookException("message.attachments[].url", "the webhook has an attachment without a url");
        }

        var names = (m.Author.Name ?? string.Empty).Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        return new PlatformMessage
        {
            ExternalMessageId = m.Id,
            ExternalThreadId = m.ThreadId,
            ThreadName = m.ThreadTitle ?? string.Empty,
            IsPublic = m.Public,
            CreatedAt = Timestamp.FromDateTimeOffset(m.CreatedAt),
            Author = new EndUser
            {
                ExternalId = m.Author.Id,
                FirstName = names.ElementAtOrDefault(0) ?? string.Empty,
                LastName = names.ElementAtOrDefault(1) ?? string.Empty,
                Nickname = m.Author.Handle ?? string.Empty,
                ImageUrl = m.Author.Avatar ?? string.Empty,
            },
            Content = new MessageContent
            {
                Text = m.Text ?? string.Empty,
                Attachments = { (m.Attachments ?? []).Select(a => new Attachment { FileName = a.Name ?? string.Empty, Url = a.Url }) },
            },
        };
    }

    private PlatformApi Api(PlatformAccount account) =>
        new(httpClients.CreateClient(HttpClientName), "Junglebook", PlatformApi.Bearer(account.Setting("token")));
}
