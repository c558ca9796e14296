using Byoc.Administration.V1;
using Byoc.Conversations.V1;
using Byoc.Edge.Identity;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Byoc.Edge.Admin.Credentials;

/// <summary>The values to type into CXone's BYOC integration form, all on this Edge's public base URL.</summary>
public sealed record ByocFormValues(string BoxUrl, string AuthorizationUrl, string ActionUrl, string ReconnectUrl, string RemoveUrl);

/// <summary>An integration as the admin sees it: which secrets are set (never their values) and the BYOC form's values.</summary>
public sealed record IntegrationView(
    string IntegrationId, string TenantId, string Name, string ClientId, bool HasClientSecret, DateTimeOffset? PreviousSecretValidUntil,
    long SecretGeneration, string CxoneIssuer, string CxoneAppClientId, bool HasCxoneAppClientSecret, string CxoneAccessKeyId,
    bool HasCxoneAccessKeySecret, int PointsOfContact, ByocFormValues ByocForm);

/// <summary>A secret, shown once: CXone's BYOC form takes it with the client id.</summary>
public sealed record IssuedCredentials(string ClientId, string ClientSecret, DateTimeOffset? PreviousSecretValidUntil, long SecretGeneration);

public sealed record CredentialsRevoked(long SecretGeneration);

/// <summary>The CXone access (write-only): what is null or empty stays as it is.</summary>
public sealed record CxoneAccessChange(string? AppClientId, string? AppClientSecret, string? AccessKeyId, string? AccessKeySecret);

/// <summary>
/// Integration credentials for the admin REST API and the pages alike: scoped to the user's tenants (Conversations
/// enforces it), every change audited, and this Edge's cache of accepted secret generations dropped after a change so
/// revoked tokens stop working here at once (other replicas within <see cref="SecretGenerations.CacheFor"/>).
/// </summary>
public sealed class CredentialsAdmin(
    Byoc.Administration.V1.Administration.AdministrationClient administration,
    Integrations.IntegrationsClient integrations,
    SecretGenerations generations,
    AdminAudit audit,
    PublicUrls urls,
    IOptions<AdminOptions> options)
{
    public TimeSpan DefaultOverlap => options.Value.DefaultSecretOverlap;

    public async Task<IReadOnlyList<IntegrationView>> ListAsync(AdminUser user, string requestBase, CancellationToken cancellationToken)
    {
        var answer = await administration.ListIntegrationsAsync(new ListIntegrationsRequest { Scope = AdminScopes.Of(user) }, cancellationToken: cancellationToken);
        var form = Form(urls.Base(requestBase));
        return [.. answer.Integrations.Select(i => new IntegrationView(
            i.IntegrationId, i.TenantId, i.Name, i.ClientId, i.HasClientSecret, i.PreviousSecretValidUntil?.ToDateTimeOffset(), i.SecretGeneration,
            i.CxoneIssuer, i.CxoneAppClientId, i.HasCxoneAppClientSecret, i.CxoneAccessKeyId, i.HasCxoneAccessKeySecret, i.PointsOfContact, form))];
    }

    public static ByocFormValues Form(string publicBase) =>
        new(publicBase, $"{publicBase}/1.0/token", $"{publicBase}/settings", $"{publicBase}/settings/reconnect", $"{publicBase}/settings/remove");

    /// <summary>Generate (a new client id and secret; the old pair stops at once) or rotate (a new secret; the old one works for the overlap).</summary>
    public async Task<IssuedCredentials> IssueAsync(AdminUser user, string integrationId, bool newClientId, TimeSpan? overlap, string? idempotencyKey, CancellationToken cancellationToken)
    {
        AdminScopes.RequireChange(user);
        var effective = overlap ?? DefaultOverlap;
        if (effective < TimeSpan.Zero || effective > TimeSpan.FromDays(30))
        {
            throw new AdminInputException(AdminProblem.Invalid("previousSecretOverlapMinutes", "the overlap must be between 0 and 43200 minutes (30 days)"));
        }

        IssuedCredentials issued;
        string tenant;
        if (newClientId)
        {
            var answer = await administration.IssueClientCredentialsAsync(new IssueClientCredentialsRequest
            {
                Scope = AdminScopes.Of(user),
                IdempotencyKey = string.IsNullOrEmpty(idempotencyKey) ? Guid.NewGuid().ToString("N") : idempotencyKey,
                IntegrationId = integrationId,
                NewClientId = true,
            }, cancellationToken: cancellationToken);
            (issued, tenant) = (new IssuedCredentials(answer.ClientId, answer.ClientSecret, null, answer.SecretGeneration), answer.TenantId);
        }
        else
        {
            // A rotation is the Integrations service's own (its idempotency, its overlap), once the scope allows it.
            tenant = await TenantOfAsync(user, integrationId, cancellationToken);
            var answer = await integrations.IssueClientSecretAsync(new IssueClientSecretRequest
            {
                IdempotencyKey = string.IsNullOrEmpty(idempotencyKey) ? $"admin:rotate:{Guid.NewGuid():N}" : $"admin:rotate:{idempotencyKey}",
                IntegrationId = integrationId,
                PreviousSecretOverlap = Duration.FromTimeSpan(effective),
            }, cancellationToken: cancellationToken);
            issued = new IssuedCredentials(answer.ClientId, answer.ClientSecret, answer.PreviousSecretValidUntil?.ToDateTimeOffset(), answer.SecretGeneration);
        }

        generations.Forget(integrationId);
        await audit.RecordAsync(user, newClientId ? "credentials.generate" : $"credentials.rotate (overlap {effective.TotalMinutes:0} min)",
            $"integration:{integrationId}", tenant, cancellationToken);
        return issued;
    }

    /// <summary>Every secret stops working, and every token issued with one: CXone cannot call until new credentials are entered.</summary>
    public async Task<CredentialsRevoked> RevokeAsync(AdminUser user, string integrationId, CancellationToken cancellationToken)
    {
        AdminScopes.RequireChange(user);
        var answer = await administration.RevokeClientCredentialsAsync(new RevokeClientCredentialsRequest
        {
            Scope = AdminScopes.Of(user), IdempotencyKey = Guid.NewGuid().ToString("N"), IntegrationId = integrationId,
        }, cancellationToken: cancellationToken);
        generations.Forget(integrationId);
        await audit.RecordAsync(user, "credentials.revoke", $"integration:{integrationId}", answer.TenantId, cancellationToken);
        return new CredentialsRevoked(answer.SecretGeneration);
    }

    /// <summary>Ends a rotation's overlap now: only the newest secret (and its tokens) keep working.</summary>
    public async Task<long> RevokePreviousAsync(AdminUser user, string integrationId, string? idempotencyKey, CancellationToken cancellationToken)
    {
        AdminScopes.RequireChange(user);
        var tenant = await TenantOfAsync(user, integrationId, cancellationToken);
        var revoked = await integrations.RevokePreviousClientSecretAsync(new RevokePreviousClientSecretRequest
        {
            IdempotencyKey = string.IsNullOrEmpty(idempotencyKey) ? $"admin:revoke:{Guid.NewGuid():N}" : $"admin:revoke:{idempotencyKey}",
            IntegrationId = integrationId,
        }, cancellationToken: cancellationToken);
        generations.Forget(integrationId);
        await audit.RecordAsync(user, "credentials.revoke-previous", $"integration:{integrationId}", tenant, cancellationToken);
        return revoked.CurrentGeneration;
    }

    public async Task<IntegrationView> SetCxoneAccessAsync(AdminUser user, string requestBase, string integrationId, CxoneAccessChange change, CancellationToken cancellationToken)
    {
        AdminScopes.RequireChange(user);
        var answer = await administration.SetCxoneAccessAsync(new SetCxoneAccessRequest
        {
            Scope = AdminScopes.Of(user),
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            IntegrationId = integrationId,
            AppClientId = change.AppClientId ?? string.Empty,
            AppClientSecret = change.AppClientSecret ?? string.Empty,
            AccessKeyId = change.AccessKeyId ?? string.Empty,
            AccessKeySecret = change.AccessKeySecret ?? string.Empty,
        }, cancellationToken: cancellationToken);
        var i = answer.Integration;
        await audit.RecordAsync(user, "credentials.cxone-access", $"integration:{integrationId}", i.TenantId, cancellationToken);
        return new IntegrationView(i.IntegrationId, i.TenantId, i.Name, i.ClientId, i.HasClientSecret, i.PreviousSecretValidUntil?.ToDateTimeOffset(), i.SecretGeneration,
            i.CxoneIssuer, i.CxoneAppClientId, i.HasCxoneAppClientSecret, i.CxoneAccessKeyId, i.HasCxoneAccessKeySecret, i.PointsOfContact, Form(urls.Base(requestBase)));
    }

    /// <summary>The points of contact CXone refused, of the user's tenants only.</summary>
    public async Task<IReadOnlyList<Cxone.ChannelRefused>> RefusalsAsync(AdminUser user, Byoc.Conversations.V1.Operations.OperationsClient operations, CancellationToken cancellationToken)
    {
        var visible = (await administration.ListIntegrationsAsync(new ListIntegrationsRequest { Scope = AdminScopes.Of(user) }, cancellationToken: cancellationToken))
            .Integrations.Select(i => i.IntegrationId).ToHashSet(StringComparer.Ordinal);
        var answer = await operations.ListChannelRefusalsAsync(new ListChannelRefusalsRequest(), cancellationToken: cancellationToken);
        return [.. answer.Refusals.Where(r => visible.Contains(r.IntegrationId)).Select(r => new Cxone.ChannelRefused(r.ChannelId, r.IntegrationId, r.StatusCode, r.Body))];
    }

    // The Integrations service knows no scope: the integration must be one the user sees, else it is "not found".
    private async Task<string> TenantOfAsync(AdminUser user, string integrationId, CancellationToken cancellationToken)
    {
        var answer = await administration.ListIntegrationsAsync(new ListIntegrationsRequest { Scope = AdminScopes.Of(user) }, cancellationToken: cancellationToken);
        return answer.Integrations.FirstOrDefault(i => i.IntegrationId == integrationId)?.TenantId
            ?? throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.NotFound, $"no integration '{integrationId}'"));
    }
}
