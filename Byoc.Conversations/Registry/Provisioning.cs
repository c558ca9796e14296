using Byoc.Deployment;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Byoc.Conversations.Cxone;
using Byoc.Conversations.Identity;
using Microsoft.Extensions.Options;

namespace Byoc.Conversations.Registry;

/// <summary>
/// The registry declared in configuration: the deployment file (<see cref="ProvisionedDeployment"/>,
/// docs/configuration.md) when one is given, else section <c>Byoc:Provisioning</c> (or a JSON file named by
/// <c>Byoc:ProvisioningFile</c>: the Development demo and tests). Secrets may be references (<see cref="SecretReference"/>).
/// </summary>
public sealed class ProvisioningOptions
{
    public const string Section = "Byoc:Provisioning";

    public List<ProvisionedIntegration> Integrations { get; set; } = [];
}

public sealed class ProvisionedIntegration
{
    /// <summary>Use CXone's "Integration ID" of the BYOC integration: it becomes the channels' channelIntegrationId.</summary>
    [Required]
    public string Id { get; set; } = "";

    [Required]
    public string TenantId { get; set; } = "";

    public string Name { get; set; } = "";

    [Required]
    public string ClientId { get; set; } = "";

    /// <summary>Set when the integration is created; later rotations are not undone by a restart.</summary>
    [Required]
    public string ClientSecret { get; set; } = "";

    [Required]
    public ProvisionedCxone Cxone { get; set; } = new();

    public List<ProvisionedChannel> Channels { get; set; } = [];
}

public sealed class ProvisionedCxone
{
    [Required]
    public string Issuer { get; set; } = "";

    [Required]
    public string AppClientId { get; set; } = "";

    [Required]
    public string AppClientSecret { get; set; } = "";

    [Required]
    public string AccessKeyId { get; set; } = "";

    [Required]
    public string AccessKeySecret { get; set; } = "";

    public string? DigitalApiBaseUrl { get; set; }

    /// <summary>
    /// Also send <c>isTrackingMessageDeliveryStatus</c> and <c>canSendSenderActions</c> when creating points of contact.
    /// They are not in the published NewChannel (cxone-contract §5) and a strict CXone may refuse them, so they are
    /// opt-in, for a tenant observed to accept them.
    /// </summary>
    public bool SendUnpublishedChannelFields { get; set; }
}

public sealed class ProvisionedChannel
{
    [Required]
    public string Id { get; set; } = "";

    [Required]
    public string Connector { get; set; } = "";

    [Required]
    public string AccountId { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>One of CXone's externalPlatformIcon values (<see cref="CxoneIcons"/>, checked at start-up); CXone's replies can fail without one.</summary>
    [Required]
    public string Icon { get; set; } = "forum";

    /// <summary>Create (or update) the point of contact at CXone at start-up.</summary>
    public bool RegisterAtCxone { get; set; } = true;

    /// <summary>What the connector needs for this account (tokens, signing secrets; references allowed), stored encrypted.</summary>
    public Dictionary<string, string> Settings { get; set; } = [];
}

/// <summary>
/// Writes the provisioned registry before the service answers calls (idempotent: running it again changes
/// nothing), then registers the channels at CXone in the background, retrying until CXone accepts them.
/// </summary>
public sealed partial class Provisioning(
    IOptions<ProvisioningOptions> options,
    RegistryStore registry,
    CxoneClient cxone,
    ChannelRegistrations registrations,
    SecretResolver secrets,
    TimeProvider time,
    ILogger<Provisioning> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _registration = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var toRegister = new List<Registration>();
        foreach (var provisioned in options.Value.Integrations)
        {
            var setting = $"{ProvisioningOptions.Section}:Integrations:{provisioned.Id}";
            var integration = new Integration(
                provisioned.Id,
                provisioned.TenantId,
                string.IsNullOrEmpty(provisioned.Name) ? provisioned.Id : provisioned.Name,
                provisioned.ClientId,
                new CxoneAccess(
                    provisioned.Cxone.Issuer,
                    provisioned.Cxone.AppClientId,
                    secrets.Resolve(provisioned.Cxone.AppClientSecret, $"{setting}:Cxone:AppClientSecret"),
                    provisioned.Cxone.AccessKeyId,
                    secrets.Resolve(provisioned.Cxone.AccessKeySecret, $"{setting}:Cxone:AccessKeySecret"),
                    string.IsNullOrEmpty(provisioned.Cxone.DigitalApiBaseUrl) ? null : provisioned.Cxone.DigitalApiBaseUrl));
            var secret = await registry.HasClientSecretAsync(integration.Id)
                ? null
                : secrets.Resolve(provisioned.ClientSecret, $"{setting}:ClientSecret");
            await registry.UpsertIntegrationAsync(integration, secret);

            foreach (var channel in provisioned.Channels)
            {
                await registry.UpsertChannelAsync(new Channel(channel.Id, integration.Id, channel.Connector, channel.AccountId,
                    string.IsNullOrEmpty(channel.Name) ? channel.AccountId : channel.Name, channel.Icon));
                if (channel.Settings.Count > 0)
                {
                    await registry.SetAccountSettingsAsync(channel.Id, channel.Settings.ToDictionary(
                        s => s.Key, s => secrets.Resolve(s.Value, $"{setting}:Channels:{channel.Id}:Settings:{s.Key}")));
                }

                if (channel.RegisterAtCxone)
                {
                    toRegister.Add(new Registration(integration, channel, provisioned.Cxone.SendUnpublishedChannelFields));
                }
            }

            LogProvisioned(integration.Id, provisioned.Channels.Count);
        }

        if (toRegister.Count > 0)
        {
            _registration = Task.Run(() => RegisterAtCxoneAsync(toRegister, _stopping.Token), CancellationToken.None);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _registration.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>The fields the published NewChannel requires, and the icon, which Byoc always sets.</summary>
    public static readonly IReadOnlyList<string> CoreChannelFields =
        ["id", "idOnExternalPlatform", "channelIntegrationId", "realExternalPlatformId", "name", "isPrivate", "hasTreeStructure", "externalPlatformIcon"];

    /// <summary>
    /// The point of contact as CXone's POST /channels wants it, always with an icon: the published NewChannel fields,
    /// and the two unpublished ones only when the integration opts in.
    /// </summary>
    public static JsonObject ToCxoneChannel(Integration integration, ProvisionedChannel channel, bool sendUnpublishedFields = false)
    {
        var body = new JsonObject
        {
            ["id"] = channel.Id,
            ["idOnExternalPlatform"] = ExternalIds.DeriveChannel(channel.Connector, channel.AccountId),
            ["channelIntegrationId"] = integration.Id,
            ["realExternalPlatformId"] = "custom",
            ["name"] = string.IsNullOrEmpty(channel.Name) ? channel.AccountId : channel.Name,
            ["isPrivate"] = false,
            ["hasTreeStructure"] = false,
            ["externalPlatformIcon"] = channel.Icon,
            ["hasOutboundFlow"] = true,
            ["hasManualOutboundFlow"] = true,
            ["hasAbilityToSendFiles"] = true,
            ["hasReply"] = true,
            ["contentFormat"] = "plain",
        };
        if (sendUnpublishedFields)
        {
            body["isTrackingMessageDeliveryStatus"] = true;
            body["canSendSenderActions"] = true;
        }

        return body;
    }

    /// <summary>The same point of contact with the core fields only: what is left to try after CXone refused the rest.</summary>
    public static JsonObject CoreOnly(JsonObject channel) =>
        new([.. CoreChannelFields.Where(channel.ContainsKey).Select(f => KeyValuePair.Create(f, channel[f]?.DeepClone()))]);

    private async Task RegisterAtCxoneAsync(List<Registration> channels, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        var pending = channels;
        while (pending.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            var failed = new List<Registration>();
            var retryAfter = TimeSpan.Zero;
            foreach (var registration in pending)
            {
                CxoneResult result;
                try
                {
                    result = await RegisterAsync(registration, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Anything unexpected (a discovery page that is not JSON, say) is retried like an outage, never
                    // allowed to end the registration of every other channel.
                    LogRegistrationFailed(e, registration.Channel.Id);
                    result = CxoneResult.Failed($"{e.GetType().Name}: {e.Message}");
                }

                if (result.Outcome == CxoneOutcome.Retryable)
                {
                    LogRegistrationRetry(registration.Channel.Id, result.StatusCode);
                    registrations.Retrying(registration.Channel.Id, result.StatusCode == 0 ? result.Body ?? "no answer" : $"CXone answered {result.StatusCode}");
                    failed.Add(registration);
                    retryAfter = result.RetryAfter is { } after && after > retryAfter ? after : retryAfter;
                }
            }

            pending = failed;
            if (pending.Count > 0)
            {
                // CXone's Retry-After when it gave one, else exponential backoff with jitter (cxone-contract §3.6).
                var jitter = TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)(backoff.TotalMilliseconds / 2) + 1));
                var delay = retryAfter > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Min(retryAfter.TotalSeconds, 300)) : backoff + jitter;
                await Task.Delay(delay, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 30_000));
            }
        }
    }

    /// <summary>One attempt; a 400 to a body with optional fields is tried once more with the core fields only.</summary>
    private async Task<CxoneResult> RegisterAsync(Registration registration, CancellationToken cancellationToken)
    {
        var (integration, channel, unpublished) = registration;
        var body = ToCxoneChannel(integration, channel, unpublished);
        var result = await cxone.UpsertChannelAsync(integration, body, cancellationToken);
        if (result is { Outcome: CxoneOutcome.Rejected, StatusCode: 400 })
        {
            LogRetryingWithCoreFields(channel.Id, result.Body ?? string.Empty);
            result = await cxone.UpsertChannelAsync(integration, CoreOnly(body), cancellationToken);
            if (result.IsAccepted)
            {
                // It exists, but without the optional fields (replies, files) CXone may treat it otherwise: shown.
                registrations.AcceptedWithCoreFieldsOnly(channel.Id);
                LogRegisteredWithCoreFields(channel.Id);
                return result;
            }
        }

        if (result.IsAccepted)
        {
            registrations.Accepted(channel.Id);
            LogRegistered(channel.Id);
        }
        else if (result.Outcome == CxoneOutcome.Rejected)
        {
            registrations.Refuse(channel.Id, integration.Id, result.StatusCode, result.Body ?? string.Empty);
            LogRegistrationRefused(channel.Id, result.StatusCode, result.Body ?? string.Empty);
        }

        return result;
    }

    private sealed record Registration(Integration Integration, ProvisionedChannel Channel, bool SendUnpublishedFields);

    [LoggerMessage(Level = LogLevel.Information, Message = "Provisioned integration {IntegrationId} with {Channels} channels")]
    private partial void LogProvisioned(string integrationId, int channels);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registering channel {ChannelId} at CXone failed unexpectedly; it is retried")]
    private partial void LogRegistrationFailed(Exception exception, string channelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} is registered at CXone")]
    private partial void LogRegistered(string channelId);

    [LoggerMessage(Level = LogLevel.Error, Message = "CXone refused channel {ChannelId}: {Status} {Body}; it does not exist at CXone (see the cxone-channels health check)")]
    private partial void LogRegistrationRefused(string channelId, int status, string body);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CXone answered 400 to channel {ChannelId} ({Body}); trying once more with the published required fields and the icon only")]
    private partial void LogRetryingWithCoreFields(string channelId, string body);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {ChannelId} is registered at CXone without its optional fields (outbound flow, files, reply, content format, ...)")]
    private partial void LogRegisteredWithCoreFields(string channelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} not registered at CXone yet ({Status}); retrying with backoff")]
    private partial void LogRegistrationRetry(string channelId, int status);
}
