using Byoc.Conversations.Cxone;
using Byoc.Conversations.Registry;
using Google.Protobuf.WellKnownTypes;
using AdminV1 = Byoc.Administration.V1;

namespace Byoc.Conversations.Administration;

/// <summary>
/// The integrations an admin sees, the client credentials CXone presents to the Edge (generated, rotated with an
/// overlap, revoked) and the CXone access Conversations uses, always within the caller's tenant scope. Secrets are
/// answered once when generated and never again; the CXone secrets are write-only.
/// </summary>
public sealed partial class IntegrationCredentials(
    RegistryStore registry,
    ClientSecretStore secrets,
    CxoneTokens cxoneTokens,
    CxoneAuthCircuit authCircuit,
    ILogger<IntegrationCredentials> logger)
{
    public static readonly TimeSpan MaxOverlap = TimeSpan.FromDays(30);

    public async Task<IReadOnlyList<AdminV1.Integration>> ListAsync(AdminScope scope)
    {
        var list = new List<AdminV1.Integration>();
        foreach (var integration in (await registry.IntegrationsAsync()).Where(i => scope.Covers(i.TenantId)))
        {
            list.Add(await ToMessageAsync(integration));
        }

        return list;
    }

    public async Task<AdminV1.IssueClientCredentialsResponse> IssueAsync(AdminScope scope, AdminV1.IssueClientCredentialsRequest request)
    {
        var integration = await FindAsync(scope, request.IntegrationId);
        var overlap = request.NewClientId ? TimeSpan.Zero : request.PreviousSecretOverlap?.ToTimeSpan() ?? TimeSpan.Zero;
        if (overlap < TimeSpan.Zero || overlap > MaxOverlap)
        {
            throw AdminErrors.Field("previousSecretOverlapMinutes", "the overlap must be between 0 and 30 days");
        }

        if (request.NewClientId)
        {
            // The old client id stops working at once, and with the zero overlap below its secret too.
            await registry.ReplaceClientIdAsync(integration.Id, ClientSecrets.GenerateClientId());
        }

        IssuedSecret issued;
        try
        {
            issued = await secrets.RotateAsync(integration.Id, overlap, string.IsNullOrEmpty(request.IdempotencyKey) ? null : "admin:" + request.IdempotencyKey);
        }
        catch (IdempotencyKeyReusedException e)
        {
            throw new global::Grpc.Core.RpcException(new global::Grpc.Core.Status(global::Grpc.Core.StatusCode.FailedPrecondition, e.Message));
        }

        LogIssued(integration.Id, issued.Generation, request.NewClientId);
        return new AdminV1.IssueClientCredentialsResponse
        {
            ClientId = issued.ClientId,
            ClientSecret = issued.Secret,
            PreviousSecretValidUntil = issued.PreviousValidUntil is { } until ? Timestamp.FromDateTimeOffset(until) : null,
            SecretGeneration = issued.Generation,
            TenantId = integration.TenantId,
        };
    }

    public async Task<AdminV1.RevokeClientCredentialsResponse> RevokeAsync(AdminScope scope, string integrationId)
    {
        var integration = await FindAsync(scope, integrationId);
        var generation = await secrets.RevokeAllAsync(integration.Id);
        LogRevoked(integration.Id, generation);
        return new AdminV1.RevokeClientCredentialsResponse { SecretGeneration = generation, TenantId = integration.TenantId };
    }

    public async Task<AdminV1.Integration> SetCxoneAccessAsync(AdminScope scope, AdminV1.SetCxoneAccessRequest request)
    {
        var integration = await FindAsync(scope, request.IntegrationId);
        if (new[] { request.AppClientId, request.AppClientSecret, request.AccessKeyId, request.AccessKeySecret }.All(string.IsNullOrEmpty))
        {
            throw AdminErrors.Field("appClientId", "give at least one of appClientId, appClientSecret, accessKeyId, accessKeySecret");
        }

        // A key id without its secret (or the reverse) would pair one key's id with another's secret.
        if (string.IsNullOrEmpty(request.AccessKeyId) != string.IsNullOrEmpty(request.AccessKeySecret))
        {
            throw AdminErrors.Field(string.IsNullOrEmpty(request.AccessKeyId) ? "accessKeyId" : "accessKeySecret", "the access key id and its secret are set together");
        }

        var current = integration.Cxone;
        var changed = current with
        {
            AppClientId = Or(request.AppClientId, current.AppClientId),
            AppClientSecret = Or(request.AppClientSecret, current.AppClientSecret),
            AccessKeyId = Or(request.AccessKeyId, current.AccessKeyId),
            AccessKeySecret = Or(request.AccessKeySecret, current.AccessKeySecret),
        };
        await registry.SetCxoneAccessAsync(integration.Id, changed);
        // The cached CXone token belongs to the old key; the next call authenticates with the new one.
        await cxoneTokens.ForgetAsync(integration.Id);
        authCircuit.Succeeded(integration.Id);
        LogCxoneAccessSet(integration.Id);
        return await ToMessageAsync(await registry.GetIntegrationAsync(integration.Id) ?? integration);
    }

    private static string Or(string given, string current) => string.IsNullOrEmpty(given) ? current : given;

    private async Task<Integration> FindAsync(AdminScope scope, string integrationId) =>
        !string.IsNullOrEmpty(integrationId) && await registry.GetIntegrationAsync(integrationId) is { } integration && scope.Covers(integration.TenantId)
            ? integration
            : throw AdminErrors.NotFound($"integration '{integrationId}'");

    private async Task<AdminV1.Integration> ToMessageAsync(Integration integration)
    {
        var (generation, previousUntil) = await secrets.StateAsync(integration.Id);
        return new AdminV1.Integration
        {
            IntegrationId = integration.Id,
            TenantId = integration.TenantId,
            Name = integration.Name,
            ClientId = integration.ClientId,
            HasClientSecret = await registry.HasUsableClientSecretAsync(integration.Id),
            PreviousSecretValidUntil = previousUntil is { } until ? Timestamp.FromDateTimeOffset(until) : null,
            SecretGeneration = generation,
            CxoneIssuer = integration.Cxone.Issuer,
            CxoneAppClientId = integration.Cxone.AppClientId,
            HasCxoneAppClientSecret = integration.Cxone.AppClientSecret.Length > 0,
            CxoneAccessKeyId = integration.Cxone.AccessKeyId,
            HasCxoneAccessKeySecret = integration.Cxone.AccessKeySecret.Length > 0,
            PointsOfContact = (await registry.ChannelsOfIntegrationAsync(integration.Id)).Count,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Integration {IntegrationId}: client secret generation {Generation} issued (new client id: {NewClientId})")]
    private partial void LogIssued(string integrationId, long generation, bool newClientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Integration {IntegrationId}: every client secret revoked (generation {Generation})")]
    private partial void LogRevoked(string integrationId, long generation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Integration {IntegrationId}: CXone access changed by an admin")]
    private partial void LogCxoneAccessSet(string integrationId);
}
