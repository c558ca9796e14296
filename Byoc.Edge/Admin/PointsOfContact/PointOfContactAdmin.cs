using Byoc.Administration.V1;

namespace Byoc.Edge.Admin.PointsOfContact;

/// <summary>A point of contact as the admin API and pages show it: the settings only by name, and the webhook URL for the platform.</summary>
public sealed record PointOfContactView(
    string ChannelId, string IntegrationId, string TenantId, string Connector, string AccountId, string Name, string Icon,
    IReadOnlyList<string> SettingsSet, string WebhookUrl);

public sealed record PointOfContactPage(IReadOnlyList<PointOfContactView> Items, string? NextCursor);

/// <summary>A new point of contact; <see cref="Settings"/> are write-only (tokens, webhook secrets).</summary>
public sealed record NewPointOfContact(
    string? IntegrationId, string? Connector, string? AccountId, string? Name, string? Icon, string? ChannelId = null,
    IReadOnlyDictionary<string, string>? Settings = null);

/// <summary>A change: what is null stays; <see cref="Settings"/> given replace, <see cref="ClearSettings"/> are removed.</summary>
public sealed record PointOfContactChange(string? Name, string? Icon, IReadOnlyDictionary<string, string>? Settings = null, IReadOnlyList<string>? ClearSettings = null);

public sealed record PointOfContactCheck(bool AccountOk, string AccountDetail, bool CxoneOk, string CxoneDetail);

/// <summary>
/// Points of contact for the admin REST API and the pages alike: one place that scopes every call to the user's
/// tenants (Conversations enforces it) and records every change in the audit.
/// </summary>
public sealed class PointOfContactAdmin(Byoc.Administration.V1.Administration.AdministrationClient administration, AdminAudit audit, PublicUrls urls)
{
    public async Task<PointOfContactPage> ListAsync(AdminUser user, string requestBase, string? cursor, int? pageSize, string? filter, string? integrationId, CancellationToken cancellationToken)
    {
        var answer = await administration.ListPointsOfContactAsync(new ListPointsOfContactRequest
        {
            Scope = AdminScopes.Of(user),
            Cursor = cursor ?? string.Empty,
            PageSize = pageSize ?? 0,
            Filter = filter ?? string.Empty,
            IntegrationId = integrationId ?? string.Empty,
        }, cancellationToken: cancellationToken);
        var publicBase = urls.Base(requestBase);
        return new PointOfContactPage([.. answer.PointsOfContact.Select(p => View(p, publicBase))], answer.NextCursor.Length == 0 ? null : answer.NextCursor);
    }

    public async Task<PointOfContactView> GetAsync(AdminUser user, string requestBase, string channelId, CancellationToken cancellationToken)
    {
        var answer = await administration.GetPointOfContactAsync(new GetPointOfContactRequest { Scope = AdminScopes.Of(user), ChannelId = channelId }, cancellationToken: cancellationToken);
        return View(answer.PointOfContact, urls.Base(requestBase));
    }

    public async Task<IReadOnlyList<string>> IconsAsync(CancellationToken cancellationToken) =>
        [.. (await administration.ListIconsAsync(new ListIconsRequest(), cancellationToken: cancellationToken)).Icons];

    public async Task<PointOfContactView> CreateAsync(AdminUser user, string requestBase, NewPointOfContact poc, CancellationToken cancellationToken)
    {
        AdminScopes.RequireChange(user);
        var answer = await administration.CreatePointOfContactAsync(new CreatePointOfContactRequest
        {
            Scope = AdminScopes.Of(user),
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            IntegrationId = poc.IntegrationId ?? string.Empty,
            ChannelId = poc.ChannelId ?? string.Empty,
            Connector = poc.Connector ?? string.Empty,
            AccountId = poc.AccountId ?? string.Empty,
            Name = poc.Name ?? string.Empty,
            Icon = poc.Icon ?? string.Empty,
            Settings = { (poc.Settings ?? new Dictionary<string, string>()).ToDictionary() },
        }, cancellationToken: cancellationToken);
        var created = answer.PointOfContact;
        await audit.RecordAsync(user, "point-of-contact.create", $"point-of-contact:{created.ChannelId}", created.TenantId, cancellationToken);
        return View(created, urls.Base(requestBase));
    }

    public async Task<PointOfContactView> UpdateAsync(AdminUser user, string requestBase, string channelId, PointOfContactChange change, CancellationToken cancellationToken)
    {
        AdminScopes.RequireChange(user);
        // Given but blank is a mistake to show, not "unchanged": Conversations reads an empty name or icon as "keep",
        // and the change would be audited although nothing changed.
        if (change.Name is { } name && string.IsNullOrWhiteSpace(name))
        {
            throw new AdminInputException(AdminProblem.Invalid("name", "name must not be blank; leave it out to keep the current name."));
        }

        if (change.Icon is { } icon && string.IsNullOrWhiteSpace(icon))
        {
            throw new AdminInputException(AdminProblem.Invalid("icon", "icon must not be blank; leave it out to keep the current icon."));
        }

        var answer = await administration.UpdatePointOfContactAsync(new UpdatePointOfContactRequest
        {
            Scope = AdminScopes.Of(user),
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            ChannelId = channelId,
            Name = change.Name ?? string.Empty,
            Icon = change.Icon ?? string.Empty,
            Settings = { (change.Settings ?? new Dictionary<string, string>()).ToDictionary() },
            ClearSettings = { change.ClearSettings ?? [] },
        }, cancellationToken: cancellationToken);
        var changed = answer.PointOfContact;
        // The audit names the settings changed, never their values.
        var settings = (change.Settings?.Keys ?? []).Concat(change.ClearSettings ?? []).ToList();
        await audit.RecordAsync(user, settings.Count == 0 ? "point-of-contact.update" : $"point-of-contact.update (settings: {string.Join(", ", settings)})",
            $"point-of-contact:{changed.ChannelId}", changed.TenantId, cancellationToken);
        return View(changed, urls.Base(requestBase));
    }

    public async Task DeleteAsync(AdminUser user, string channelId, CancellationToken cancellationToken)
    {
        AdminScopes.RequireChange(user);
        var answer = await administration.DeletePointOfContactAsync(new DeletePointOfContactRequest
        {
            Scope = AdminScopes.Of(user), IdempotencyKey = Guid.NewGuid().ToString("N"), ChannelId = channelId,
        }, cancellationToken: cancellationToken);
        await audit.RecordAsync(user, "point-of-contact.delete", $"point-of-contact:{channelId}", answer.TenantId, cancellationToken);
    }

    /// <summary>A read: a Viewer may check too (it changes nothing).</summary>
    public async Task<PointOfContactCheck> CheckAsync(AdminUser user, string channelId, CancellationToken cancellationToken)
    {
        var answer = await administration.CheckPointOfContactAsync(new CheckPointOfContactRequest { Scope = AdminScopes.Of(user), ChannelId = channelId }, cancellationToken: cancellationToken);
        return new PointOfContactCheck(answer.AccountOk, answer.AccountDetail, answer.CxoneOk, answer.CxoneDetail);
    }

    /// <summary>Where the platform sends the account's webhooks: the Edge's <c>/hooks/{connector}/{accountId}</c>.</summary>
    public static string WebhookUrl(string publicBase, string connector, string accountId) =>
        $"{publicBase}/hooks/{Uri.EscapeDataString(connector)}/{Uri.EscapeDataString(accountId)}";

    private static PointOfContactView View(PointOfContact p, string publicBase) =>
        new(p.ChannelId, p.IntegrationId, p.TenantId, p.Connector, p.AccountId, p.Name, p.Icon, [.. p.SettingsSet], WebhookUrl(publicBase, p.Connector, p.AccountId));
}
