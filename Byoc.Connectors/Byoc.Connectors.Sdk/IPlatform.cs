using System.Text.Json;
using Byoc.Connectors.V1;
using Byoc.Messages.V1;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// The one thing a connector author writes: how to speak one platform. Everything else — gRPC, webhooks routing,
/// accounts and their secrets, ingest into Conversations, degradation of rich content, health — is the SDK's.
/// </summary>
public interface IPlatform
{
    PlatformDescription Description { get; }

    /// <summary>
    /// Verifies a webhook on its raw body (throw <see cref="WebhookRejectedException"/> when it is not genuine) and
    /// turns it into events. Called for <c>POST /hooks/{connector}/{accountId}</c>.
    /// </summary>
    Task<IReadOnlyList<PlatformEvent>> ParseWebhookAsync(Webhook webhook, CancellationToken cancellationToken);

    /// <summary>
    /// Sends an agent's message, already fitted to <see cref="PlatformDescription.Capabilities"/>. Throw
    /// <see cref="PlatformRejectedException"/> when the platform refuses it for good, and
    /// <see cref="PlatformUnavailableException"/> (or let HttpRequestException through) when it may work later.
    /// </summary>
    Task<SentMessage> SendAsync(PlatformAccount account, OutgoingMessage message, CancellationToken cancellationToken);

    /// <summary>Whether CXone may start a conversation with these recipients; by default every one is valid.</summary>
    Task<RecipientCheck> ValidateRecipientsAsync(PlatformAccount account, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken) =>
        Task.FromResult(RecipientCheck.Valid);

    /// <summary>Shows the agent typing; by default nothing (platforms without typing indicators).</summary>
    Task SendSenderActionAsync(PlatformAccount account, string threadId, SenderAction action, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Whether the account's credentials work (the connector's health); by default assumed. A
    /// <see cref="PlatformRejectedException"/> or <see cref="PlatformUnavailableException"/> counts as not working.
    /// </summary>
    Task<bool> CheckAccountAsync(PlatformAccount account, CancellationToken cancellationToken) => Task.FromResult(true);
}

/// <summary>
/// What a platform is and can show; <see cref="Settings"/> lists what each account needs from the vault.
/// <see cref="Connector"/> is the platform's own name, the connector's name when the deployment does not give one
/// (<see cref="ConnectorName"/>).
/// </summary>
public sealed record PlatformDescription(
    string Connector,
    string DisplayName,
    string CxoneIcon,
    Capabilities Capabilities,
    IReadOnlyList<SettingDescriptor> Settings);

/// <summary>One platform account (one CXone point of contact) with its settings from Conversations' vault.</summary>
public sealed record PlatformAccount(string AccountId, string ChannelId, IReadOnlyDictionary<string, string> Settings)
{
    public string Setting(string name) =>
        FindSetting(name) ?? throw new PlatformRejectedException($"account '{AccountId}' has no setting '{name}' in the vault");

    /// <summary>An optional setting: <paramref name="fallback"/> when it is absent or empty.</summary>
    public string Setting(string name, string fallback) => FindSetting(name) ?? fallback;

    /// <summary>An optional setting, or null when it is absent or empty.</summary>
    public string? FindSetting(string name) => Settings.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    // Settings hold secrets: printing an account must not print them.
    public override string ToString() => $"PlatformAccount {{ AccountId = {AccountId}, ChannelId = {ChannelId} }}";
}

/// <summary>
/// A webhook as it arrived: the connector and the account from its path (<c>/hooks/{connector}/{accountId}</c>), the
/// raw body (signatures are over bytes), headers.
/// </summary>
public sealed record Webhook(string Connector, PlatformAccount Account, ReadOnlyMemory<byte> Body, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>
    /// The body read by <paramref name="read"/> (a JSON deserializer or parser); JSON it cannot read becomes the
    /// <see cref="FormatException"/> the SDK answers 400.
    /// </summary>
    public T ReadJson<T>(Func<ReadOnlyMemory<byte>, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return read(Body);
        }
        catch (JsonException e)
        {
            throw new MalformedWebhookException(e.Path ?? "$", $"the webhook is not the JSON expected: {e.Message}");
        }
    }
}

/// <summary>What a webhook said happened.</summary>
public abstract record PlatformEvent;

public sealed record MessageReceived(PlatformMessage Message) : PlatformEvent;

public sealed record ReceiptReceived(string MessageId, ReceiptStatus Status, DateTimeOffset At, string? Reason = null) : PlatformEvent;

public sealed record TypingReceived(string ThreadId, bool IsTyping) : PlatformEvent;

/// <summary>
/// An agent's message for the platform, in the platform's ids (Conversations mapped them). A platform that takes a
/// message in several parts sends only those after <paramref name="PartsAlreadyAccepted"/> (see <see cref="MessageParts"/>).
/// </summary>
public sealed record OutgoingMessage(string IdempotencyKey, string ThreadId, IReadOnlyList<Recipient> Recipients, MessageContent Content, string? ReplyToMessageId,
    int PartsAlreadyAccepted = 0, string? FirstPartMessageId = null)
{
    /// <summary>Whom a new thread is opened with: the primary recipient, else the first; null when none is named.</summary>
    public Recipient? PrimaryRecipient => Recipients.FirstOrDefault(r => r.IsPrimary) ?? (Recipients.Count > 0 ? Recipients[0] : null);
}

/// <summary>What the platform answered to a send.</summary>
public sealed record SentMessage(string MessageId, string? NewThreadId = null, DateTimeOffset? CreatedAt = null, string? Url = null, IReadOnlyList<EndUser>? EndUsers = null);

public sealed record RecipientCheck(bool IsValid, string? DisplayErrorMessage = null, IReadOnlyList<RecipientError>? Errors = null)
{
    public static RecipientCheck Valid { get; } = new(true);

    public static RecipientCheck Invalid(string displayMessage, params string[] problems) =>
        new(false, displayMessage, [.. problems.Select(p => new RecipientError { Path = { "idOnExternalPlatform" }, Message = p })]);

    /// <summary>
    /// Asks the platform about each recipient with <paramref name="probe"/>: those it refuses
    /// (<see cref="PlatformRejectedException"/>) are invalid, each with its <paramref name="problem"/>.
    /// </summary>
    public static async Task<RecipientCheck> ProbeEachAsync(IEnumerable<Recipient> recipients, Func<Recipient, Task> probe, string displayMessage, Func<Recipient, string> problem)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(problem);
        var problems = new List<string>();
        foreach (var recipient in recipients)
        {
            try
            {
                await probe(recipient);
            }
            catch (PlatformRejectedException)
            {
                problems.Add(problem(recipient));
            }
        }

        return problems.Count == 0 ? Valid : Invalid(displayMessage, [.. problems]);
    }
}

/// <summary>
/// A genuine webhook that lacks a field the connector needs, or has it in the wrong shape: answered 400 naming
/// <see cref="Field"/>, so the platform stops sending it (a 500 would be retried forever).
/// </summary>
public sealed class MalformedWebhookException(string field, string message) : FormatException(message)
{
    public string Field { get; } = field;

    /// <summary>The value at <paramref name="field"/>, or this exception when it is missing or empty.</summary>
    public static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw new MalformedWebhookException(field, $"the webhook has no {field}") : value;

    /// <summary><paramref name="value"/>, or this exception when it is missing.</summary>
    public static T Required<T>(T? value, string field) where T : class =>
        value ?? throw new MalformedWebhookException(field, $"the webhook has no {field}");
}

/// <summary>The webhook is not genuine (signature, timestamp): answered 401, never ingested.</summary>
public sealed class WebhookRejectedException(string message) : Exception(message);

/// <summary>The platform refused for good (bad recipient, too large, blocked): CXone is told the message failed.</summary>
public sealed class PlatformRejectedException(string message) : Exception(message);

/// <summary>
/// The platform did not take it (down, rate limited, no answer). <see cref="NotSent"/> only when the request
/// provably never reached the platform (connection refused, DNS, a throttle before acceptance): then a retry may send
/// it again. Otherwise the outcome is unknown — the customer may have it — and nobody sends it again.
/// </summary>
public sealed class PlatformUnavailableException(string message, TimeSpan? retryAfter = null, bool notSent = false) : Exception(message)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool NotSent { get; } = notSent;
}

/// <summary>
/// A multi-part send failed after the platform had accepted <see cref="PartsAccepted"/> parts (thrown by
/// <see cref="MessageParts"/>): a retry resumes at the part that failed.
/// </summary>
public sealed class PartlySentException(int partsAccepted, string firstPartMessageId, Exception failure)
    : Exception($"part {partsAccepted + 1} failed: {failure?.Message}", failure)
{
    public int PartsAccepted { get; } = partsAccepted;

    public string FirstPartMessageId { get; } = firstPartMessageId;
}
