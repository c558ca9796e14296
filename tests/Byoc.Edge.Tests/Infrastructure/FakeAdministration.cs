using System.Collections.Concurrent;
using Byoc.Administration.V1;
using Grpc.Core;

namespace Byoc.Edge.Tests.Infrastructure;

/// <summary>
/// Conversations' Administration service as the Edge sees it: integrations A and B (tenants A and B), one point of
/// contact each, the tenant scope enforced like the real one (another tenant's object is NOT_FOUND), bad icons refused
/// by field, and a CXone that refuses a point of contact named <see cref="RefusedName"/>. Credentials change the
/// <see cref="FakeIntegrations"/> secrets, so tokens follow.
/// </summary>
public sealed class FakeAdministration(FakeIntegrations integrations) : Byoc.Administration.V1.Administration.AdministrationBase
{
    public const string RefusedName = "CXone says no";
    public const string CxoneRefusalBody = """{"error":"channel refused by the simulator"}""";
    private static readonly string[] Icons = ["forum", "telegram", "whatsapp", "sms"];

    private readonly ConcurrentDictionary<string, PointOfContact> _pocs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Integration> _integrations = new(StringComparer.Ordinal);

    /// <summary>Every scope the Edge sent, in order.</summary>
    public ConcurrentQueue<TenantScope> Scopes { get; } = new();

    public void Reset()
    {
        Scopes.Clear();
        _pocs.Clear();
        _integrations.Clear();
        foreach (var (id, tenant, client, channel) in new[]
        {
            (TestData.IntegrationA, TestData.TenantA, TestData.ClientA, TestData.ChannelA),
            (TestData.IntegrationB, TestData.TenantB, TestData.ClientB, TestData.ChannelB),
        })
        {
            _integrations[id] = new Integration { IntegrationId = id, TenantId = tenant, Name = id, ClientId = client, HasClientSecret = true, CxoneAppClientId = "app", HasCxoneAppClientSecret = true, CxoneAccessKeyId = "key", HasCxoneAccessKeySecret = true, PointsOfContact = 1 };
            _pocs[channel] = new PointOfContact { ChannelId = channel, IntegrationId = id, TenantId = tenant, Connector = "junglebook", AccountId = $"account-of-{channel}", Name = $"Desk {channel}", Icon = "forum", SettingsSet = { "token" } };
        }
    }

    public PointOfContact? Find(string channelId) => _pocs.GetValueOrDefault(channelId);

    private static bool Covers(TenantScope scope, string tenant) => scope.AllTenants || scope.TenantIds.Contains(tenant);

    private TenantScope Seen(TenantScope? scope)
    {
        var s = scope ?? new TenantScope();
        Scopes.Enqueue(s);
        return s;
    }

    private PointOfContact Poc(TenantScope scope, string channelId) =>
        _pocs.TryGetValue(channelId, out var p) && Covers(scope, p.TenantId) ? p : throw new RpcException(new Status(StatusCode.NotFound, $"no point of contact '{channelId}'"));

    private Integration Owned(TenantScope scope, string integrationId) =>
        _integrations.TryGetValue(integrationId, out var i) && Covers(scope, i.TenantId) ? i : throw new RpcException(new Status(StatusCode.NotFound, $"no integration '{integrationId}'"));

    private static RpcException Field(string field, string message) => new(new Status(StatusCode.InvalidArgument, message), new Metadata { { "field", field } });

    public override Task<ListIntegrationsResponse> ListIntegrations(ListIntegrationsRequest request, ServerCallContext context)
    {
        var scope = Seen(request.Scope);
        return Task.FromResult(new ListIntegrationsResponse { Integrations = { _integrations.Values.Where(i => Covers(scope, i.TenantId)).OrderBy(i => i.IntegrationId, StringComparer.Ordinal) } });
    }

    public override Task<ListPointsOfContactResponse> ListPointsOfContact(ListPointsOfContactRequest request, ServerCallContext context)
    {
        var scope = Seen(request.Scope);
        var all = _pocs.Values.Where(p => Covers(scope, p.TenantId) && (request.Filter.Length == 0 || p.Name.Contains(request.Filter, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var size = request.PageSize == 0 ? 50 : request.PageSize;
        var start = request.Cursor.Length == 0 ? 0 : int.Parse(request.Cursor, System.Globalization.CultureInfo.InvariantCulture);
        return Task.FromResult(new ListPointsOfContactResponse
        {
            PointsOfContact = { all.Skip(start).Take(size) },
            NextCursor = all.Count > start + size ? (start + size).ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty,
        });
    }

    public override Task<GetPointOfContactResponse> GetPointOfContact(GetPointOfContactRequest request, ServerCallContext context) =>
        Task.FromResult(new GetPointOfContactResponse { PointOfContact = Poc(Seen(request.Scope), request.ChannelId) });

    public override Task<CreatePointOfContactResponse> CreatePointOfContact(CreatePointOfContactRequest request, ServerCallContext context)
    {
        var scope = Seen(request.Scope);
        if (!_integrations.TryGetValue(request.IntegrationId, out var integration) || !Covers(scope, integration.TenantId))
        {
            throw Field("integrationId", $"no integration '{request.IntegrationId}'");
        }

        if (string.IsNullOrEmpty(request.Name))
        {
            throw Field("name", "name is required");
        }

        if (!Icons.Contains(request.Icon))
        {
            throw Field("icon", $"icon: '{request.Icon}' is not one of CXone's externalPlatformIcon values");
        }

        if (request.Name == RefusedName)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "CXone did not create the point of contact: CXone answered 400"),
                new Metadata { { "cxone-status", "400" }, { "cxone-body", Uri.EscapeDataString(CxoneRefusalBody) } });
        }

        var id = request.ChannelId.Length > 0 ? request.ChannelId : $"{request.Connector}-{request.AccountId}";
        var poc = new PointOfContact
        {
            ChannelId = id, IntegrationId = integration.IntegrationId, TenantId = integration.TenantId, Connector = request.Connector,
            AccountId = request.AccountId, Name = request.Name, Icon = request.Icon, SettingsSet = { request.Settings.Keys.Order(StringComparer.Ordinal) },
        };
        _pocs[id] = poc;
        return Task.FromResult(new CreatePointOfContactResponse { PointOfContact = poc, RegisteredWithAllFields = true });
    }

    public override Task<UpdatePointOfContactResponse> UpdatePointOfContact(UpdatePointOfContactRequest request, ServerCallContext context)
    {
        var poc = Poc(Seen(request.Scope), request.ChannelId).Clone();
        if (request.Icon.Length > 0 && !Icons.Contains(request.Icon))
        {
            throw Field("icon", $"icon: '{request.Icon}' is not one of CXone's externalPlatformIcon values");
        }

        poc.Name = request.Name.Length > 0 ? request.Name : poc.Name;
        poc.Icon = request.Icon.Length > 0 ? request.Icon : poc.Icon;
        var settings = poc.SettingsSet.Union(request.Settings.Keys).Except(request.ClearSettings).Order(StringComparer.Ordinal).ToList();
        poc.SettingsSet.Clear();
        poc.SettingsSet.AddRange(settings);
        _pocs[poc.ChannelId] = poc;
        return Task.FromResult(new UpdatePointOfContactResponse { PointOfContact = poc });
    }

    public override Task<DeletePointOfContactResponse> DeletePointOfContact(DeletePointOfContactRequest request, ServerCallContext context)
    {
        var poc = Poc(Seen(request.Scope), request.ChannelId);
        _pocs.TryRemove(poc.ChannelId, out _);
        return Task.FromResult(new DeletePointOfContactResponse { TenantId = poc.TenantId });
    }

    public override Task<CheckPointOfContactResponse> CheckPointOfContact(CheckPointOfContactRequest request, ServerCallContext context)
    {
        var poc = Poc(Seen(request.Scope), request.ChannelId);
        return Task.FromResult(new CheckPointOfContactResponse { AccountOk = true, AccountDetail = $"{poc.Connector} accepted the credentials", CxoneOk = true, CxoneDetail = "CXone lists the point of contact" });
    }

    public override Task<ListIconsResponse> ListIcons(ListIconsRequest request, ServerCallContext context) =>
        Task.FromResult(new ListIconsResponse { Icons = { Icons } });

    public override Task<IssueClientCredentialsResponse> IssueClientCredentials(IssueClientCredentialsRequest request, ServerCallContext context)
    {
        var integration = Owned(Seen(request.Scope), request.IntegrationId);
        var generation = integrations.EndAll(integration.IntegrationId) + 1;
        var clientId = request.NewClientId ? $"generated-{Guid.NewGuid():N}" : integration.ClientId;
        var secret = $"generated-secret-{Guid.NewGuid():N}";
        integrations.Add(new FakeIntegrations.Credential(clientId, secret, integration.IntegrationId, integration.TenantId, generation));
        integration.ClientId = clientId;
        integration.HasClientSecret = true;
        return Task.FromResult(new IssueClientCredentialsResponse { ClientId = clientId, ClientSecret = secret, SecretGeneration = generation, TenantId = integration.TenantId });
    }

    public override Task<RevokeClientCredentialsResponse> RevokeClientCredentials(RevokeClientCredentialsRequest request, ServerCallContext context)
    {
        var integration = Owned(Seen(request.Scope), request.IntegrationId);
        var generation = integrations.EndAll(integration.IntegrationId) + 1;
        // A generation no secret anyone knows belongs to: every token issued before is refused.
        integrations.Add(new FakeIntegrations.Credential(integration.ClientId, $"unknowable-{Guid.NewGuid():N}", integration.IntegrationId, integration.TenantId, generation));
        integration.HasClientSecret = false;
        return Task.FromResult(new RevokeClientCredentialsResponse { SecretGeneration = generation, TenantId = integration.TenantId });
    }

    public override Task<SetCxoneAccessResponse> SetCxoneAccess(SetCxoneAccessRequest request, ServerCallContext context)
    {
        var integration = Owned(Seen(request.Scope), request.IntegrationId);
        if (request.AccessKeyId.Length > 0 != request.AccessKeySecret.Length > 0)
        {
            throw Field(request.AccessKeyId.Length == 0 ? "accessKeyId" : "accessKeySecret", "the access key id and its secret are set together");
        }

        integration.CxoneAppClientId = request.AppClientId.Length > 0 ? request.AppClientId : integration.CxoneAppClientId;
        integration.CxoneAccessKeyId = request.AccessKeyId.Length > 0 ? request.AccessKeyId : integration.CxoneAccessKeyId;
        return Task.FromResult(new SetCxoneAccessResponse { Integration = integration });
    }
}
