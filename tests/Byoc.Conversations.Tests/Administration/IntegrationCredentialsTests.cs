using Byoc.Administration.V1;
using Byoc.Conversations.Registry;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Byoc.Conversations.Tests.Administration;

/// <summary>
/// The client credentials CXone presents to the Edge and the CXone access, through the Administration service:
/// generated (secret answered once), rotated with an overlap, revoked for good, within the caller's tenant scope.
/// Each test works on an integration of its own.
/// </summary>
public sealed class IntegrationCredentialsTests(AdministrationStack stack) : IClassFixture<AdministrationStack>
{
    private Byoc.Administration.V1.Administration.AdministrationClient Admin => stack.Admin;

    /// <summary>A fresh integration of tenant A with the provisioned secret "first-secret".</summary>
    private async Task<Registry.Integration> NewIntegrationAsync()
    {
        var registry = stack.Service<RegistryStore>();
        var integration = (await registry.GetIntegrationAsync("initech"))! with { Id = Sample.Unique("int"), ClientId = Sample.Unique("client") };
        await registry.UpsertIntegrationAsync(integration, "first-secret");
        return integration;
    }

    private async Task<bool> ValidAsync(string clientId, string secret) =>
        (await stack.Integrations.VerifyClientCredentialsAsync(new V1.VerifyClientCredentialsRequest { ClientId = clientId, ClientSecret = secret })).Valid;

    private async Task<IReadOnlyList<long>> AcceptedGenerationsAsync(string integrationId) =>
        [.. (await stack.Integrations.GetSecretGenerationsAsync(new V1.GetSecretGenerationsRequest { IntegrationId = integrationId })).Accepted];

    [Fact]
    public async Task Integrations_are_listed_within_the_scope_without_any_secret()
    {
        var a = await Admin.ListIntegrationsAsync(new ListIntegrationsRequest { Scope = AdministrationStack.ScopeA });
        var b = await Admin.ListIntegrationsAsync(new ListIntegrationsRequest { Scope = AdministrationStack.ScopeB });
        var all = await Admin.ListIntegrationsAsync(new ListIntegrationsRequest { Scope = AdministrationStack.AllTenants });

        Assert.Contains("acme", a.Integrations.Select(i => i.IntegrationId));
        Assert.DoesNotContain("globex", a.Integrations.Select(i => i.IntegrationId));
        Assert.Equal(["globex"], b.Integrations.Select(i => i.IntegrationId));
        Assert.Contains("globex", all.Integrations.Select(i => i.IntegrationId));
        var acme = a.Integrations.Single(i => i.IntegrationId == "acme");
        Assert.True(acme.HasClientSecret);
        Assert.True(acme.HasCxoneAccessKeySecret);
        Assert.Equal(2, acme.PointsOfContact);
        Assert.DoesNotContain("sandbox-access-secret", acme.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generating_gives_a_new_client_id_and_secret_once_and_the_old_pair_stops_working()
    {
        var integration = await NewIntegrationAsync();

        var issued = await Admin.IssueClientCredentialsAsync(new IssueClientCredentialsRequest
        {
            Scope = AdministrationStack.ScopeA, IdempotencyKey = Guid.NewGuid().ToString("N"), IntegrationId = integration.Id, NewClientId = true,
        });

        Assert.NotEqual(integration.ClientId, issued.ClientId);
        Assert.True(await ValidAsync(issued.ClientId, issued.ClientSecret));
        Assert.False(await ValidAsync(integration.ClientId, "first-secret"));
        Assert.False(await ValidAsync(issued.ClientId, "first-secret"));
        var listed = (await Admin.ListIntegrationsAsync(new ListIntegrationsRequest { Scope = AdministrationStack.ScopeA })).Integrations.Single(i => i.IntegrationId == integration.Id);
        Assert.Equal(issued.ClientId, listed.ClientId);
        Assert.DoesNotContain(issued.ClientSecret, listed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotating_keeps_the_previous_secret_working_for_the_overlap()
    {
        var integration = await NewIntegrationAsync();

        var issued = await Admin.IssueClientCredentialsAsync(new IssueClientCredentialsRequest
        {
            Scope = AdministrationStack.ScopeA, IdempotencyKey = Guid.NewGuid().ToString("N"), IntegrationId = integration.Id,
            PreviousSecretOverlap = Duration.FromTimeSpan(TimeSpan.FromHours(1)),
        });

        Assert.Equal(integration.ClientId, issued.ClientId);
        Assert.True(await ValidAsync(integration.ClientId, issued.ClientSecret));
        Assert.True(await ValidAsync(integration.ClientId, "first-secret"));
        Assert.True(issued.PreviousSecretValidUntil.ToDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(50));
        Assert.Equal([issued.SecretGeneration, issued.SecretGeneration - 1], await AcceptedGenerationsAsync(integration.Id));
    }

    [Fact]
    public async Task Revoking_ends_every_secret_and_every_token_issued_with_them()
    {
        var integration = await NewIntegrationAsync();
        var issued = await Admin.IssueClientCredentialsAsync(new IssueClientCredentialsRequest
        {
            Scope = AdministrationStack.ScopeA, IntegrationId = integration.Id, PreviousSecretOverlap = Duration.FromTimeSpan(TimeSpan.FromHours(1)),
        });

        var revoked = await Admin.RevokeClientCredentialsAsync(new RevokeClientCredentialsRequest { Scope = AdministrationStack.ScopeA, IntegrationId = integration.Id });

        Assert.False(await ValidAsync(integration.ClientId, issued.ClientSecret));
        Assert.False(await ValidAsync(integration.ClientId, "first-secret"));
        // Only a generation no token was ever issued to is still accepted: the Edge refuses every earlier token.
        Assert.Equal([revoked.SecretGeneration], await AcceptedGenerationsAsync(integration.Id));
        Assert.True(revoked.SecretGeneration > issued.SecretGeneration);
        Assert.False((await Admin.ListIntegrationsAsync(new ListIntegrationsRequest { Scope = AdministrationStack.ScopeA })).Integrations.Single(i => i.IntegrationId == integration.Id).HasClientSecret);
        // A restart's provisioning does not bring the provisioned secret back.
        await stack.Service<RegistryStore>().UpsertIntegrationAsync(integration, await stack.Service<RegistryStore>().HasClientSecretAsync(integration.Id) ? null : "first-secret");
        Assert.False(await ValidAsync(integration.ClientId, "first-secret"));
    }

    [Fact]
    public async Task Tenant_b_can_neither_generate_nor_revoke_nor_set_access_for_tenant_a()
    {
        var integration = await NewIntegrationAsync();
        var scopeB = AdministrationStack.ScopeB;

        var issue = await Assert.ThrowsAsync<RpcException>(() => Admin.IssueClientCredentialsAsync(new IssueClientCredentialsRequest { Scope = scopeB, IntegrationId = integration.Id, NewClientId = true }).ResponseAsync);
        var revoke = await Assert.ThrowsAsync<RpcException>(() => Admin.RevokeClientCredentialsAsync(new RevokeClientCredentialsRequest { Scope = scopeB, IntegrationId = integration.Id }).ResponseAsync);
        var access = await Assert.ThrowsAsync<RpcException>(() => Admin.SetCxoneAccessAsync(new SetCxoneAccessRequest { Scope = scopeB, IntegrationId = integration.Id, AppClientId = "mine" }).ResponseAsync);

        Assert.All(new[] { issue, revoke, access }, e => Assert.Equal(StatusCode.NotFound, e.StatusCode));
        Assert.True(await ValidAsync(integration.ClientId, "first-secret"));
    }

    [Fact]
    public async Task Cxone_access_is_write_only_and_outlives_a_restarts_provisioning()
    {
        var integration = await NewIntegrationAsync();

        var changed = (await Admin.SetCxoneAccessAsync(new SetCxoneAccessRequest
        {
            Scope = AdministrationStack.ScopeA, IntegrationId = integration.Id,
            AppClientId = "new-app", AppClientSecret = "new-app-secret", AccessKeyId = "new-key", AccessKeySecret = "new-key-secret",
        })).Integration;

        Assert.Equal(("new-app", "new-key", true, true), (changed.CxoneAppClientId, changed.CxoneAccessKeyId, changed.HasCxoneAppClientSecret, changed.HasCxoneAccessKeySecret));
        Assert.DoesNotContain("new-key-secret", changed.ToString(), StringComparison.Ordinal);
        var registry = stack.Service<RegistryStore>();
        await registry.UpsertIntegrationAsync(integration, null);
        var stored = (await registry.GetIntegrationAsync(integration.Id))!.Cxone;
        Assert.Equal(("new-app", "new-app-secret", "new-key", "new-key-secret"), (stored.AppClientId, stored.AppClientSecret, stored.AccessKeyId, stored.AccessKeySecret));
    }

    [Fact]
    public async Task An_access_key_id_without_its_secret_is_refused_by_field()
    {
        var integration = await NewIntegrationAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => Admin.SetCxoneAccessAsync(new SetCxoneAccessRequest
        {
            Scope = AdministrationStack.ScopeA, IntegrationId = integration.Id, AccessKeyId = "lonely",
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("accessKeySecret", AdministrationStack.FieldOf(e));
    }

    [Fact]
    public async Task An_overlap_beyond_thirty_days_is_refused_by_field()
    {
        var integration = await NewIntegrationAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => Admin.IssueClientCredentialsAsync(new IssueClientCredentialsRequest
        {
            Scope = AdministrationStack.ScopeA, IntegrationId = integration.Id, PreviousSecretOverlap = Duration.FromTimeSpan(TimeSpan.FromDays(31)),
        }).ResponseAsync);

        Assert.Equal("previousSecretOverlapMinutes", AdministrationStack.FieldOf(e));
    }
}
