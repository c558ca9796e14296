using System.Text;
using System.Text.RegularExpressions;
using Byoc.Conversations.Outbound;
using Byoc.Conversations.Registry;
using Byoc.Deployment;
using Grpc.Core;
using AdminV1 = Byoc.Administration.V1;
using ConnectorV1 = Byoc.Connectors.V1;

namespace Byoc.Conversations.Administration;

/// <summary>
/// The points of contact an admin lists, creates, changes, checks and deletes, always within the caller's tenant
/// scope. CXone is asked first (a point of contact it refused must not exist here only), then the registry.
/// Account settings are write-only: answers carry only the names of those set.
/// </summary>
public sealed partial class PointsOfContact(
    RegistryStore registry,
    CxoneChannels cxoneChannels,
    ConnectorClients connectors,
    ILogger<PointsOfContact> logger)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    private static readonly TimeSpan ConnectorDeadline = TimeSpan.FromSeconds(10);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex ChannelIdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex ConnectorPattern();

    public async Task<AdminV1.ListPointsOfContactResponse> ListAsync(AdminScope scope, AdminV1.ListPointsOfContactRequest request)
    {
        var size = request.PageSize switch
        {
            0 => DefaultPageSize,
            < 0 or > MaxPageSize => throw AdminErrors.Field("pageSize", $"pageSize must be between 1 and {MaxPageSize}"),
            _ => request.PageSize,
        };
        var after = string.IsNullOrEmpty(request.Cursor) ? null : DecodeCursor(request.Cursor);
        var tenants = await TenantsInScopeAsync(scope);
        if (!string.IsNullOrEmpty(request.IntegrationId))
        {
            var integration = await registry.GetIntegrationAsync(request.IntegrationId);
            if (integration is null || !scope.Covers(integration.TenantId))
            {
                throw AdminErrors.NotFound($"integration '{request.IntegrationId}'");
            }

            tenants = [integration.TenantId];
        }

        var filter = request.Filter?.Trim() ?? string.Empty;
        bool Matches(string member)
        {
            var parts = member.Split('\n');
            return parts.Length == 5
                && (string.IsNullOrEmpty(request.IntegrationId) || parts[4] == request.IntegrationId)
                && (filter.Length == 0 || parts.Take(4).Any(p => p.Contains(filter, StringComparison.OrdinalIgnoreCase)));
        }

        // Each tenant's list is ordered the same way: the first size + 1 of each, merged, are the first of all.
        var members = new List<string>();
        foreach (var tenant in tenants)
        {
            members.AddRange(await registry.ChannelIndexAsync(tenant, after, size + 1, Matches));
        }

        members.Sort(StringComparer.Ordinal);
        var page = members.Take(size).ToList();
        var response = new AdminV1.ListPointsOfContactResponse
        {
            NextCursor = members.Count > size ? EncodeCursor(page[^1]) : string.Empty,
        };
        var tenantOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in page)
        {
            if (await registry.GetChannelAsync(member.Split('\n')[1]) is { } channel)
            {
                if (!tenantOf.TryGetValue(channel.IntegrationId, out var tenant))
                {
                    tenant = tenantOf[channel.IntegrationId] = (await registry.GetIntegrationAsync(channel.IntegrationId))?.TenantId ?? string.Empty;
                }

                response.PointsOfContact.Add(ToMessage(channel, tenant, settings: null));
            }
        }

        return response;
    }

    public async Task<AdminV1.PointOfContact> GetAsync(AdminScope scope, string channelId)
    {
        var (channel, integration) = await FindAsync(scope, channelId);
        return ToMessage(channel, integration.TenantId, await registry.GetAccountSettingsAsync(channel.Id));
    }

    public async Task<AdminV1.CreatePointOfContactResponse> CreateAsync(AdminScope scope, AdminV1.CreatePointOfContactRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.IntegrationId))
        {
            throw AdminErrors.Field("integrationId", "integrationId is required");
        }

        var integration = await registry.GetIntegrationAsync(request.IntegrationId);
        if (integration is null || !scope.Covers(integration.TenantId))
        {
            throw AdminErrors.Field("integrationId", $"no integration '{request.IntegrationId}'");
        }

        if (string.IsNullOrWhiteSpace(request.Connector) || !ConnectorPattern().IsMatch(request.Connector))
        {
            throw AdminErrors.Field("connector", "connector is required: lower-case letters, digits and '-'");
        }

        if (string.IsNullOrWhiteSpace(request.AccountId) || request.AccountId.Length > 200 || request.AccountId.Contains('\n', StringComparison.Ordinal))
        {
            throw AdminErrors.Field("accountId", "accountId is required (at most 200 characters, one line)");
        }

        var name = (request.Name ?? string.Empty).Trim();
        if (name.Length is 0 or > 200)
        {
            throw AdminErrors.Field("name", "name is required (at most 200 characters)");
        }

        RequireIcon(request.Icon);
        var channelId = string.IsNullOrEmpty(request.ChannelId) ? DeriveChannelId(request.Connector, request.AccountId) : request.ChannelId;
        if (!ChannelIdPattern().IsMatch(channelId))
        {
            throw AdminErrors.Field("channelId", "channelId: letters, digits, '.', '_' and '-', at most 64, starting with a letter or digit");
        }

        if (await registry.GetChannelAsync(channelId) is not null)
        {
            throw AdminErrors.Taken("channelId", $"a point of contact '{channelId}' exists already");
        }

        if (await registry.FindChannelAsync(request.Connector, request.AccountId) is not null)
        {
            throw AdminErrors.Taken("accountId", $"the account '{request.AccountId}' of {request.Connector} is a point of contact already");
        }

        var settings = request.Settings.Where(s => s.Value.Length > 0).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        await RequireSettingsAsync(request.Connector, settings.Keys, cancellationToken);

        var channel = new Channel(channelId, integration.Id, request.Connector, request.AccountId, name, request.Icon);
        var registered = await cxoneChannels.RegisterAsync(integration, channel, sendUnpublishedFields: false, cancellationToken);
        if (!registered.Result.IsAccepted)
        {
            throw AdminErrors.Cxone(registered.Result, "CXone did not create the point of contact");
        }

        await registry.UpsertChannelAsync(channel);
        if (settings.Count > 0)
        {
            await registry.SetAccountSettingsAsync(channel.Id, settings);
        }

        LogCreated(channel.Id, integration.Id);
        var (readBack, found) = await cxoneChannels.ReadBackAsync(integration, channel.Id, cancellationToken);
        if (found is null)
        {
            // It is stored: the admin sees it and can delete it, or check it again.
            throw readBack.IsAccepted
                ? new RpcException(new Status(StatusCode.FailedPrecondition, $"CXone accepted point of contact '{channel.Id}' but does not list it"))
                : AdminErrors.Cxone(readBack, "CXone accepted the point of contact, but reading it back failed");
        }

        return new AdminV1.CreatePointOfContactResponse
        {
            PointOfContact = ToMessage(channel, integration.TenantId, settings),
            RegisteredWithAllFields = !registered.CoreFieldsOnly,
        };
    }

    public async Task<AdminV1.PointOfContact> UpdateAsync(AdminScope scope, AdminV1.UpdatePointOfContactRequest request, CancellationToken cancellationToken)
    {
        var (channel, integration) = await FindAsync(scope, request.ChannelId);
        var name = string.IsNullOrWhiteSpace(request.Name) ? channel.Name : request.Name.Trim();
        if (name.Length > 200)
        {
            throw AdminErrors.Field("name", "name: at most 200 characters");
        }

        var icon = string.IsNullOrEmpty(request.Icon) ? channel.Icon : RequireIcon(request.Icon);
        var changed = channel with { Name = name, Icon = icon };
        if (changed != channel)
        {
            var registered = await cxoneChannels.RegisterAsync(integration, changed, sendUnpublishedFields: false, cancellationToken);
            if (!registered.Result.IsAccepted)
            {
                throw AdminErrors.Cxone(registered.Result, "CXone did not take the change");
            }

            await registry.UpsertChannelAsync(changed);
        }

        var settings = (await registry.GetAccountSettingsAsync(channel.Id)).ToDictionary(StringComparer.Ordinal);
        if (request.Settings.Count > 0 || request.ClearSettings.Count > 0)
        {
            foreach (var (key, value) in request.Settings.Where(s => s.Value.Length > 0))
            {
                settings[key] = value;
            }

            foreach (var key in request.ClearSettings)
            {
                settings.Remove(key);
            }

            await registry.SetAccountSettingsAsync(channel.Id, settings);
        }

        LogUpdated(channel.Id);
        return ToMessage(changed, integration.TenantId, settings);
    }

    /// <summary>Deleted at CXone first (404: gone already), then here; answers the tenant it belonged to.</summary>
    public async Task<string> DeleteAsync(AdminScope scope, string channelId, CancellationToken cancellationToken)
    {
        var (channel, integration) = await FindAsync(scope, channelId);
        var deleted = await cxoneChannels.DeleteAsync(integration, channel.Id, cancellationToken);
        if (!deleted.IsAccepted)
        {
            throw AdminErrors.Cxone(deleted, "CXone did not delete the point of contact; it is kept");
        }

        await registry.DeleteChannelAsync(channel);
        LogDeleted(channel.Id);
        return integration.TenantId;
    }

    /// <summary>The connector checks the account's credentials with the platform; CXone is asked whether it lists the channel.</summary>
    public async Task<AdminV1.CheckPointOfContactResponse> CheckAsync(AdminScope scope, string channelId, CancellationToken cancellationToken)
    {
        var (channel, integration) = await FindAsync(scope, channelId);
        var response = new AdminV1.CheckPointOfContactResponse();
        try
        {
            var answer = await connectors.For(channel.Connector).CheckAccountAsync(new ConnectorV1.CheckAccountRequest { AccountId = channel.AccountId },
                deadline: DateTime.UtcNow + ConnectorDeadline, cancellationToken: cancellationToken);
            (response.AccountOk, response.AccountDetail) = (answer.Ok, answer.Detail);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            (response.AccountOk, response.AccountDetail) = (false, $"the connector {channel.Connector} answered {e.StatusCode}: {e.Status.Detail}");
        }

        var (result, found) = await cxoneChannels.ReadBackAsync(integration, channel.Id, cancellationToken);
        (response.CxoneOk, response.CxoneDetail) = found is not null
            ? (true, "CXone lists the point of contact")
            : result.IsAccepted ? (false, "CXone does not list the point of contact")
            : (false, result.StatusCode == 0 ? $"CXone could not be asked: {result.Body}" : $"CXone answered {result.StatusCode}");
        return response;
    }

    private async Task<(Channel Channel, Integration Integration)> FindAsync(AdminScope scope, string channelId)
    {
        if (string.IsNullOrEmpty(channelId) || await registry.GetChannelAsync(channelId) is not { } channel
            || await registry.GetIntegrationAsync(channel.IntegrationId) is not { } integration || !scope.Covers(integration.TenantId))
        {
            throw AdminErrors.NotFound($"point of contact '{channelId}'");
        }

        return (channel, integration);
    }

    private async Task<IReadOnlyList<string>> TenantsInScopeAsync(AdminScope scope) =>
        scope.AllTenants
            ? [.. (await registry.IntegrationsAsync()).Select(i => i.TenantId).Distinct(StringComparer.Ordinal)]
            : [.. scope.Tenants];

    private static string RequireIcon(string icon) =>
        CxoneIcons.IsValid(icon) ? icon : throw AdminErrors.Field("icon", CxoneIcons.Invalid("icon", icon));

    /// <summary>
    /// The connector says which settings an account needs (Describe); a missing required one is named. A connector
    /// without Describe is taken as it is; one that does not answer is refused by name.
    /// </summary>
    private async Task RequireSettingsAsync(string connector, IEnumerable<string> given, CancellationToken cancellationToken)
    {
        ConnectorV1.DescribeResponse description;
        try
        {
            description = await connectors.For(connector).DescribeAsync(new ConnectorV1.DescribeRequest(),
                deadline: DateTime.UtcNow + ConnectorDeadline, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            return;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
        {
            throw AdminErrors.Field("connector", $"the connector '{connector}' does not answer ({e.StatusCode})");
        }

        var set = given.ToHashSet(StringComparer.Ordinal);
        if (description.Settings.FirstOrDefault(s => s.Required && !set.Contains(s.Key)) is { } missing)
        {
            throw AdminErrors.Field($"settings.{missing.Key}", $"{description.DisplayName} needs the setting '{missing.Key}' ({missing.DisplayName})");
        }
    }

    private static string DeriveChannelId(string connector, string accountId)
    {
        var id = new StringBuilder(connector).Append('-');
        foreach (var c in accountId)
        {
            id.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-');
        }

        return id.Length > 64 ? id.ToString(0, 64) : id.ToString();
    }

    private static AdminV1.PointOfContact ToMessage(Channel channel, string tenantId, IReadOnlyDictionary<string, string>? settings) => new()
    {
        ChannelId = channel.Id,
        IntegrationId = channel.IntegrationId,
        TenantId = tenantId,
        Connector = channel.Connector,
        AccountId = channel.AccountId,
        Name = channel.Name,
        Icon = channel.Icon,
        SettingsSet = { settings?.Keys.Order(StringComparer.Ordinal) ?? Enumerable.Empty<string>() },
    };

    private static string EncodeCursor(string member) => Convert.ToBase64String(Encoding.UTF8.GetBytes(member)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DecodeCursor(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
        }
        catch (FormatException)
        {
            throw AdminErrors.Field("cursor", "cursor is not one this API gave");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Point of contact {ChannelId} created for integration {IntegrationId}")]
    private partial void LogCreated(string channelId, string integrationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Point of contact {ChannelId} changed")]
    private partial void LogUpdated(string channelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Point of contact {ChannelId} deleted")]
    private partial void LogDeleted(string channelId);
}
