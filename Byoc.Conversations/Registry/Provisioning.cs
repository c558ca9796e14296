using Byoc.Deployment;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Byoc.Conversations.Cxone;
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
    CxoneChannels cxoneChannels,
    ChannelRegistrations registrations,
    SecretResolver secrets,
    ProvisionedDeployment deployment,
    TimeProvider time,
    ILogger<Provisioning> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _registration = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Errors stopped the start already (ProvisioningValidation); warnings (a secret in clear) are only said.
        foreach (var warning in deployment.Problems.Where(p => p.IsWarning))
        {
            LogDeploymentWarning(warning.ToString());
        }

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

    /// <summary>The fields the published NewChannel requires, and the icon (see <see cref="CxoneChannels"/>).</summary>
    public static IReadOnlyList<string> CoreChannelFields => CxoneChannels.CoreChannelFields;

    /// <summary>The point of contact as CXone's POST /channels wants it (see <see cref="CxoneChannels.ToCxoneChannel"/>).</summary>
    public static JsonObject ToCxoneChannel(Integration integration, ProvisionedChannel channel, bool sendUnpublishedFields = false) =>
        CxoneChannels.ToCxoneChannel(integration, ToChannel(integration, channel), sendUnpublishedFields);

    /// <summary>The same point of contact with the core fields only.</summary>
    public static JsonObject CoreOnly(JsonObject channel) => CxoneChannels.CoreOnly(channel);

    private static Channel ToChannel(Integration integration, ProvisionedChannel channel) =>
        new(channel.Id, integration.Id, channel.Connector, channel.AccountId, string.IsNullOrEmpty(channel.Name) ? channel.AccountId : channel.Name, channel.Icon);

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
        return (await cxoneChannels.RegisterAsync(integration, ToChannel(integration, channel), unpublished, cancellationToken)).Result;
    }

    private sealed record Registration(Integration Integration, ProvisionedChannel Channel, bool SendUnpublishedFields);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment: {Problem}")]
    private partial void LogDeploymentWarning(string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Provisioned integration {IntegrationId} with {Channels} channels")]
    private partial void LogProvisioned(string integrationId, int channels);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registering channel {ChannelId} at CXone failed unexpectedly; it is retried")]
    private partial void LogRegistrationFailed(Exception exception, string channelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} not registered at CXone yet ({Status}); retrying with backoff")]
    private partial void LogRegistrationRetry(string channelId, int status);
}
