using System.Text.Json.Nodes;
using Byoc.Conversations.Cxone;
using Byoc.Conversations.Identity;

namespace Byoc.Conversations.Registry;

/// <summary>What one registration attempt came to: CXone's answer, and whether it took only the core fields.</summary>
public sealed record ChannelRegistrationResult(CxoneResult Result, bool CoreFieldsOnly);

/// <summary>
/// Points of contact at CXone (cxone-contract §3.2): the body of POST /channels, one registration attempt (a 400 to a
/// body with optional fields is tried once more with the core fields only), the read-back and the delete. Shared by
/// the provisioning at start-up and the admin API, and both report to <see cref="ChannelRegistrations"/>.
/// </summary>
public sealed partial class CxoneChannels(CxoneClient cxone, ChannelRegistrations registrations, ILogger<CxoneChannels> logger)
{
    /// <summary>The fields the published NewChannel requires, and the icon, which Byoc always sets.</summary>
    public static readonly IReadOnlyList<string> CoreChannelFields =
        ["id", "idOnExternalPlatform", "channelIntegrationId", "realExternalPlatformId", "name", "isPrivate", "hasTreeStructure", "externalPlatformIcon"];

    /// <summary>
    /// The point of contact as CXone's POST /channels wants it, always with an icon: the published NewChannel fields,
    /// and the two unpublished ones only when the integration opts in.
    /// </summary>
    public static JsonObject ToCxoneChannel(Integration integration, Channel channel, bool sendUnpublishedFields = false)
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

    /// <summary>One attempt (create or update: the same id again updates); the outcome is also reported to <see cref="ChannelRegistrations"/>.</summary>
    public async Task<ChannelRegistrationResult> RegisterAsync(Integration integration, Channel channel, bool sendUnpublishedFields, CancellationToken cancellationToken)
    {
        var body = ToCxoneChannel(integration, channel, sendUnpublishedFields);
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
                return new ChannelRegistrationResult(result, CoreFieldsOnly: true);
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

        return new ChannelRegistrationResult(result, CoreFieldsOnly: false);
    }

    /// <summary>The channel as CXone holds it (GET /channels is a bare array), or null when CXone does not list it.</summary>
    public async Task<(CxoneResult Result, JsonObject? Channel)> ReadBackAsync(Integration integration, string channelId, CancellationToken cancellationToken)
    {
        var result = await cxone.ListChannelsAsync(integration, cancellationToken);
        if (!result.IsAccepted || string.IsNullOrEmpty(result.Body))
        {
            return (result, null);
        }

        var found = JsonNode.Parse(result.Body) is JsonArray all
            ? all.OfType<JsonObject>().FirstOrDefault(c => c["id"]?.GetValueKind() == System.Text.Json.JsonValueKind.String && c["id"]!.GetValue<string>() == channelId)
            : null;
        return (result, found);
    }

    /// <summary>Deletes the channel at CXone; a 404 means it is gone already, which is what was asked.</summary>
    public async Task<CxoneResult> DeleteAsync(Integration integration, string channelId, CancellationToken cancellationToken)
    {
        var result = await cxone.DeleteChannelAsync(integration, channelId, cancellationToken);
        if (result.IsAccepted || result.StatusCode == 404)
        {
            registrations.Accepted(channelId);
            LogDeleted(channelId);
            return result with { Outcome = CxoneOutcome.Accepted };
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} is registered at CXone")]
    private partial void LogRegistered(string channelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} is deleted at CXone")]
    private partial void LogDeleted(string channelId);

    [LoggerMessage(Level = LogLevel.Error, Message = "CXone refused channel {ChannelId}: {Status} {Body}; it does not exist at CXone (see the cxone-channels health check)")]
    private partial void LogRegistrationRefused(string channelId, int status, string body);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CXone answered 400 to channel {ChannelId} ({Body}); trying once more with the published required fields and the icon only")]
    private partial void LogRetryingWithCoreFields(string channelId, string body);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {ChannelId} is registered at CXone without its optional fields (outbound flow, files, reply, content format, ...)")]
    private partial void LogRegisteredWithCoreFields(string channelId);
}
