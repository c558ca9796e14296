using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Byoc.Connectors.Sdk;
using Byoc.Connectors.V1;
using Byoc.Messages.V1;
using Google.Protobuf.WellKnownTypes;
using Polly.Timeout;

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
        "custom",
        new Capabilities { Attachments = true, Typing = true },
        [
            Setting("webhookSecret", "Signing secret (both directions)", secret: true, required: true),
            Setting("outboundUrl", "URL agents' messages are POSTed to", required: true),
            Setting("timestampHeader", "Timestamp header (default X-Byoc-Timestamp)"),
            Setting("signatureHeader", "Signature header (default X-Byoc-Signature)"),
            Setting("map.threadId", "JSON path of the thread id", required: true),
            Setting("map.threadName", "JSON path of the thread name"),
            Setting("map.authorId", "JSON path of the author id", required: true),
            Setting("map.authorName", "JSON path of the author name"),
            Setting("map.messageId", "JSON path of the message id", required: true),
            Setting("map.text", "JSON path of the text"),
            Setting("map.attachments", "JSON path of the attachments array"),
            Setting("map.attachmentUrl", "JSON path of an attachment's URL, in an item (default $.url)"),
            Setting("map.attachmentName", "JSON path of an attachment's name, in an item (default $.name)"),
            Setting("map.createdAt", "JSON path of the ISO 8601 creation time"),
            Setting("response.messageId", "JSON path of the message id in the platform's answer (default $.id)"),
            Setting("recipientPattern", "Regular expression a recipient id must match"),
            Setting("recipientValidationUrl", "URL asked whether recipients exist (200 = valid)"),
        ]);

    public Task<IReadOnlyList<PlatformEvent>> ParseWebhookAsync(Sdk.Webhook webhook, CancellationToken cancellationToken)
    {
        var account = webhook.Account;
        WebhookSignature.Verify(account.Setting("webhookSecret"), webhook.Header(Option(account, "timestampHeader", "X-Byoc-Timestamp")),
            webhook.Header(Option(account, "signatureHeader", "X-Byoc-Signature")), webhook.Body.Span, time);
        using var document = ParseJson(webhook.Body);
        var root = document.RootElement;

        string Required(string setting) => JsonPath.Text(root, account.Setting(setting)) ?? throw new FormatException($"the webhook has nothing at {setting} = {account.Setting(setting)}");
        string Optional(string setting) => JsonPath.Text(root, Option(account, setting)) ?? string.Empty;
        var attachments = Option(account, "map.attachments") is { } list && JsonPath.Select(root, list) is { ValueKind: JsonValueKind.Array } items
            ? items.EnumerateArray().Select(item => new Attachment
            {
                Url = JsonPath.Text(item, Option(account, "map.attachmentUrl", "$.url")) ?? string.Empty,
                FileName = JsonPath.Text(item, Option(account, "map.attachmentName", "$.name")) ?? string.Empty,
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
        if ((int)response.StatusCode is >= 400 and < 500)
        {
            throw new PlatformRejectedException($"the platform refused the message ({(int)response.StatusCode})");
        }

        // The message is delivered by now: an answer without an id must not make CXone send it again.
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new SentMessage(TextAt(answer, Option(account, "response.messageId", "$.id")) ?? message.IdempotencyKey);
    }

    public async Task<RecipientCheck> ValidateRecipientsAsync(PlatformAccount account, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken)
    {
        if (Option(account, "recipientPattern") is { } pattern
            && recipients.Where(r => !Regex.IsMatch(r.ExternalId, pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))).Select(r => r.ExternalId).ToArray() is { Length: > 0 } invalid)
        {
            return RecipientCheck.Invalid("This recipient id is not valid on the platform.", [.. invalid.Select(id => $"{id} does not match {pattern}")]);
        }

        if (Option(account, "recipientValidationUrl") is { } url)
        {
            var ask = new RecipientQuery([.. recipients.Select(r => new OutboundRecipient(r.ExternalId, NullIfEmpty(r.Name), r.IsPrimary))]);
            using var response = await PostAsync(account, url, JsonSerializer.SerializeToUtf8Bytes(ask, WebhookJson.Default.RecipientQuery), cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return RecipientCheck.Invalid("The platform does not know this recipient.", $"{url} answered {(int)response.StatusCode}");
            }
        }

        return RecipientCheck.Valid;
    }

    public async Task SendSenderActionAsync(PlatformAccount account, string threadId, SenderAction action, CancellationToken cancellationToken)
    {
        var typing = new OutboundTyping("typing", account.AccountId, threadId, action == SenderAction.TypingOn);
        using var _ = await PostAsync(account, account.Setting("outboundUrl"), JsonSerializer.SerializeToUtf8Bytes(typing, WebhookJson.Default.OutboundTyping), cancellationToken);
    }

    /// <summary>A signed POST; 5xx and timeouts were retried by the client's resilience pipeline, 4xx is the caller's.</summary>
    private async Task<HttpResponseMessage> PostAsync(PlatformAccount account, string url, byte[] body, CancellationToken cancellationToken)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } };
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.Add(Option(account, "timestampHeader", "X-Byoc-Timestamp"), timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(Option(account, "signatureHeader", "X-Byoc-Signature"), "sha256=" + WebhookSignature.Sign(account.Setting("webhookSecret"), timestamp, body));
        HttpResponseMessage response;
        try
        {
            response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        }
        catch (TimeoutRejectedException)
        {
            throw new PlatformUnavailableException($"the platform did not answer in time at {url}");
        }

        if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            using (response)
            {
                throw new PlatformUnavailableException($"the platform answered {(int)response.StatusCode}", response.Headers.RetryAfter?.Delta);
            }
        }

        return response;
    }

    private static string? Option(PlatformAccount account, string name) =>
        account.Settings.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    private static string Option(PlatformAccount account, string name, string fallback) => Option(account, name) ?? fallback;

    private static JsonDocument ParseJson(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new FormatException($"the webhook is not JSON: {e.Message}");
        }
    }

    private static string? TextAt(byte[] json, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonPath.Text(document.RootElement, path);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static SettingDescriptor Setting(string key, string name, bool secret = false, bool required = false) =>
        new() { Key = key, DisplayName = name, Secret = secret, Required = required };
}
