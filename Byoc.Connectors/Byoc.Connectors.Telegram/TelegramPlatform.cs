using System.Globalization;
using System.Text.Json;
using Byoc.Connectors.Sdk;
using Byoc.Connectors.V1;
using Byoc.Messages.V1;
using Google.Protobuf.WellKnownTypes;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace Byoc.Connectors.Telegram;

/// <summary>
/// Telegram bots in webhook mode: each account is one bot; a private chat is a thread (chat id = thread id, user id
/// = author). Customers' files are handed to CXone as signed links to this connector, which streams them from
/// Telegram, because Telegram's own file URLs carry the bot token.
/// </summary>
public sealed class TelegramPlatform(IHttpClientFactory httpClients, IConfiguration configuration, TimeProvider time) : IPlatformFiles, IDisposable
{
    public const string HttpClientName = "telegram";

    // The Bot API's limits: about one message a second in a chat, thirty a second for a bot. Sends wait their turn.
    private readonly SendRateLimits _limits = new(perThreadPerSecond: 1, perAccountPerSecond: 30);

    public PlatformDescription Description { get; } = new(
        "telegram",
        "Telegram",
        "telegram",
        new Capabilities
        {
            MaxTextLength = 4096,
            Attachments = true,
            MaxAttachmentBytes = 20 * 1024 * 1024,
            // What the Bot API fetches by URL; anything else reaches the customer as a link.
            AttachmentMimeTypes = { "image/jpeg", "image/png", "image/gif", "application/pdf", "application/zip" },
            Typing = true,
        },
        [
            AccountSetting.Secret("botToken", "Bot token (from @BotFather)"),
            AccountSetting.Secret("secretToken", "Webhook secret token (setWebhook's secret_token)"),
        ]);

    public Task<IReadOnlyList<PlatformEvent>> ParseWebhookAsync(Sdk.Webhook webhook, CancellationToken cancellationToken)
    {
        WebhookSignature.VerifyToken(webhook.Account.Setting("secretToken"), webhook.Header("X-Telegram-Bot-Api-Secret-Token"));
        var update = webhook.ReadJson(body => JsonSerializer.Deserialize<Update>(body.Span, JsonBotAPI.Options));
        // Groups and channels are not conversations with one customer; other kinds of content are not carried yet.
        if (update?.Message is not { Chat.Type: ChatType.Private, From: { } from } m || (m.Text, m.Photo, m.Document) is (null, null, null))
        {
            return Task.FromResult<IReadOnlyList<PlatformEvent>>([]);
        }

        // Genuine but incomplete: 400 naming the field, so Telegram stops sending it.
        if (m.Photo?.Any(p => string.IsNullOrEmpty(p?.FileId)) == true)
        {
            throw new MalformedWebhookException("message.photo[].file_id", "the update has a photo without a file_id");
        }

        if (m.Document is { } d && string.IsNullOrEmpty(d.FileId))
        {
            throw new MalformedWebhookException("message.document.file_id", "the update has a document without a file_id");
        }

        var attachments = new List<Attachment>();
        if (m.Photo is [.., var largest])
        {
            attachments.Add(new Attachment { Url = FileLink(webhook, largest.FileId), FileName = "photo.jpg", MimeType = "image/jpeg", SizeBytes = largest.FileSize ?? 0 });
        }

        if (m.Document is { } document)
        {
            attachments.Add(new Attachment { Url = FileLink(webhook, document.FileId), FileName = document.FileName ?? "document", MimeType = document.MimeType ?? string.Empty, SizeBytes = document.FileSize ?? 0 });
        }

        var message = new PlatformMessage
        {
            // Telegram numbers messages per chat: the chat makes the id unique for the bot.
            ExternalMessageId = $"{m.Chat.Id}:{m.Id}",
            ExternalThreadId = m.Chat.Id.ToString(CultureInfo.InvariantCulture),
            Author = new EndUser { ExternalId = from.Id.ToString(CultureInfo.InvariantCulture), FirstName = from.FirstName, LastName = from.LastName ?? string.Empty, Nickname = from.Username ?? string.Empty },
            Content = new MessageContent { Text = m.Text ?? m.Caption ?? string.Empty, Attachments = { attachments } },
            CreatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(m.Date, DateTimeKind.Utc)),
        };
        return Task.FromResult<IReadOnlyList<PlatformEvent>>([new MessageReceived(message)]);
    }

    public async Task<SentMessage> SendAsync(PlatformAccount account, OutgoingMessage message, CancellationToken cancellationToken)
    {
        var bot = Bot(account);
        var recipient = message.PrimaryRecipient;
        var chat = ChatOf(message.ThreadId.Length > 0 ? message.ThreadId : recipient?.ExternalId);
        var reply = message.ReplyToMessageId?.Split(':') is [_, var id] && int.TryParse(id, out var replyTo) ? new ReplyParameters { MessageId = replyTo, AllowSendingWithoutReply = true } : null;
        var content = message.Content;
        // A short text rides on the first file as its caption: one message, as the agent wrote it.
        var caption = content.Attachments.Count > 0 && content.Text.Length <= 1024 ? content.Text : null;
        // Each part is its own Bot API call: a retry resumes after the parts Telegram already took.
        var parts = new List<Func<Task<Message>>>();
        if ((content.Text.Length > 0 && caption is null) || content.Attachments.Count == 0)
        {
            parts.Add(async () =>
            {
                await _limits.WaitTurnAsync(account.AccountId, $"{chat}", cancellationToken);
                return await Call(() => bot.SendMessage(chat, content.Text, replyParameters: reply, cancellationToken: cancellationToken));
            });
        }

        foreach (var attachment in content.Attachments)
        {
            var text = parts.Count == 0 ? caption : null;
            parts.Add(async () =>
            {
                await _limits.WaitTurnAsync(account.AccountId, $"{chat}", cancellationToken);
                var file = InputFile.FromUri(attachment.Url);
                return await Call(() => attachment.MimeType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) && attachment.MimeType != "image/gif"
                    ? bot.SendPhoto(chat, file, text, replyParameters: reply, cancellationToken: cancellationToken)
                    : bot.SendDocument(chat, file, text, replyParameters: reply, cancellationToken: cancellationToken));
            });
        }

        var (firstId, sent) = await MessageParts.SendAsync(message, parts, m => $"{chat}:{m.Id}");
        DateTimeOffset? createdAt = message.PartsAlreadyAccepted == 0 && sent.Count > 0 ? DateTime.SpecifyKind(sent[0].Date, DateTimeKind.Utc) : null;
        return new SentMessage(firstId, message.ThreadId.Length == 0 ? chat.ToString(CultureInfo.InvariantCulture) : null,
            createdAt, EndUsers: recipient is null ? [] : [new EndUser { ExternalId = recipient.ExternalId, Nickname = recipient.Name }]);
    }

    public Task<RecipientCheck> ValidateRecipientsAsync(PlatformAccount account, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken) =>
        RecipientCheck.ProbeEachAsync(recipients, recipient => Call(() => Bot(account).GetChat(ChatOf(recipient.ExternalId), cancellationToken)),
            "This person has not started a chat with the bot.", recipient => $"{recipient.ExternalId} is not a chat of this bot");

    // Telegram has no "stopped typing": the indicator fades after five seconds by itself.
    public Task SendSenderActionAsync(PlatformAccount account, string threadId, SenderAction action, CancellationToken cancellationToken) =>
        action == SenderAction.TypingOn ? Call(() => Bot(account).SendChatAction(ChatOf(threadId), ChatAction.Typing, cancellationToken: cancellationToken)) : Task.CompletedTask;

    public async Task<bool> CheckAccountAsync(PlatformAccount account, CancellationToken cancellationToken)
    {
        await Call(() => Bot(account).GetMe(cancellationToken));
        return true;
    }

    public string FileLinkSecret(PlatformAccount account) => account.Setting("secretToken");

    /// <summary>A customer's file, streamed from Telegram for a link this connector signed (it never shows the bot token).</summary>
    public async Task<PlatformFile> OpenFileAsync(PlatformAccount account, string fileId, CancellationToken cancellationToken)
    {
        var bot = Bot(account);
        var file = await Call(() => bot.GetFile(fileId, cancellationToken));
        return new PlatformFile(file.FilePath ?? string.Empty, body => bot.DownloadFile(file, body, cancellationToken));
    }

    public void Dispose() => _limits.Dispose();

    private TelegramBotClient Bot(PlatformAccount account)
    {
        TelegramBotClientOptions options;
        try
        {
            // RetryThreshold 0: a 429 comes back to Conversations, which owns retries, instead of being waited out here.
            options = new(account.Setting("botToken"), configuration["Telegram:ApiBaseUrl"]) { RetryThreshold = 0 };
        }
        catch (ArgumentException)
        {
            throw new PlatformRejectedException($"account '{account.AccountId}' has a malformed bot token");
        }

        return new TelegramBotClient(options, httpClients.CreateClient(HttpClientName));
    }

    private string FileLink(Sdk.Webhook webhook, string fileId) =>
        FileLinks.Create(this, configuration["Telegram:PublicBaseUrl"], webhook, fileId, time, configuration.GetValue("Telegram:FileLinkLifetime", FileLinks.DefaultLifetime));

    private static long ChatOf(string? id) =>
        long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chat) ? chat : throw new PlatformRejectedException($"'{id}' is not a Telegram chat id");

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ApiRequestException e)
        {
            throw PlatformApi.Failure("Telegram", e.ErrorCode, e.Message, TimeSpan.FromSeconds(e.Parameters?.RetryAfter ?? 1));
        }
        catch (RequestException e)
        {
            // Only a connection that was never made proves Telegram does not have it (a timeout or reset does not).
            throw new PlatformUnavailableException($"Telegram could not be reached: {e.Message}", notSent: PlatformApi.NeverConnected(e));
        }
    }

    private static async Task Call(Func<Task> call) => await Call(async () => { await call(); return true; });
}
