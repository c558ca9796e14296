using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Byoc.Conversations.Cxone;
using Byoc.Conversations.Identity;
using Microsoft.Extensions.Options;

namespace Byoc.Conversations.Registry;

/// <summary>
/// The registry declared in configuration (section <c>Byoc:Provisioning</c>, or a JSON file named by
/// <c>Byoc:ProvisioningFile</c>), for demos, automated set-ups and tests. Secrets may be references
/// (<see cref="SecretReference"/>).
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
    TimeProvider time,
    ILogger<Provisioning> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _registration = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var toRegister = new List<(Integration, ProvisionedChannel)>();
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
                    SecretReference.Resolve(provisioned.Cxone.AppClientSecret, $"{setting}:Cxone:AppClientSecret"),
                    provisioned.Cxone.AccessKeyId,
                    SecretReference.Resolve(provisioned.Cxone.AccessKeySecret, $"{setting}:Cxone:AccessKeySecret"),
                    string.IsNullOrEmpty(provisioned.Cxone.DigitalApiBaseUrl) ? null : provisioned.Cxone.DigitalApiBaseUrl));
            var secret = await registry.HasClientSecretAsync(integration.Id)
                ? null
                : SecretReference.Resolve(provisioned.ClientSecret, $"{setting}:ClientSecret");
            await registry.UpsertIntegrationAsync(integration, secret);

            foreach (var channel in provisioned.Channels)
            {
                await registry.UpsertChannelAsync(new Channel(channel.Id, integration.Id, channel.Connector, channel.AccountId,
                    string.IsNullOrEmpty(channel.Name) ? channel.AccountId : channel.Name, channel.Icon));
                if (channel.Settings.Count > 0)
                {
                    await registry.SetAccountSettingsAsync(channel.Id, channel.Settings.ToDictionary(
                        s => s.Key, s => SecretReference.Resolve(s.Value, $"{setting}:Channels:{channel.Id}:Settings:{s.Key}")));
                }

                if (channel.RegisterAtCxone)
                {
                    toRegister.Add((integration, channel));
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

    /// <summary>The point of contact as CXone's POST /channels wants it, always with an icon.</summary>
    public static JsonObject ToCxoneChannel(Integration integration, ProvisionedChannel channel) => new()
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
        ["isTrackingMessageDeliveryStatus"] = true,
        ["canSendSenderActions"] = true,
    };

    private async Task RegisterAtCxoneAsync(List<(Integration Integration, ProvisionedChannel Channel)> channels, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        var pending = channels;
        while (pending.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            var failed = new List<(Integration, ProvisionedChannel)>();
            foreach (var (integration, channel) in pending)
            {
                var result = await cxone.UpsertChannelAsync(integration, ToCxoneChannel(integration, channel), cancellationToken);
                if (result.IsAccepted)
                {
                    LogRegistered(channel.Id);
                }
                else if (result.Outcome == CxoneOutcome.Rejected)
                {
                    LogRegistrationRefused(channel.Id, result.StatusCode, result.Body ?? string.Empty);
                }
                else
                {
                    failed.Add((integration, channel));
                }
            }

            pending = failed;
            if (pending.Count > 0)
            {
                await Task.Delay(delay, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 30_000));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Provisioned integration {IntegrationId} with {Channels} channels")]
    private partial void LogProvisioned(string integrationId, int channels);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} is registered at CXone")]
    private partial void LogRegistered(string channelId);

    [LoggerMessage(Level = LogLevel.Error, Message = "CXone refused channel {ChannelId}: {Status} {Body}")]
    private partial void LogRegistrationRefused(string channelId, int status, string body);
}
