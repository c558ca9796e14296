using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Administration.V1;
using Byoc.Conversations.Registry;
using Byoc.Testing;
using Grpc.Core;

namespace Byoc.Conversations.Tests.Administration;

/// <summary>
/// Points of contact through the Administration service: created at the CXone simulator and read back, changed,
/// checked and deleted there first; settings write-only; every call within the caller's tenant scope.
/// </summary>
public sealed class PointsOfContactTests(AdministrationStack stack) : IClassFixture<AdministrationStack>
{
    private Byoc.Administration.V1.Administration.AdministrationClient Admin => stack.Admin;

    private static CreatePointOfContactRequest NewPoc(string? id = null, TenantScope? scope = null) => new()
    {
        Scope = scope ?? AdministrationStack.ScopeA,
        IdempotencyKey = Guid.NewGuid().ToString("N"),
        IntegrationId = "acme",
        ChannelId = id ?? Sample.Unique("poc"),
        Connector = "test",
        AccountId = Sample.Unique("acct"),
        Name = "Support desk",
        Icon = "telegram",
        Settings = { ["token"] = "platform-secret-token" },
    };

    private async Task<JsonElement?> AtCxoneAsync(string channelId) =>
        (await stack.Sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/channels")).EnumerateArray()
            .Where(c => c.GetProperty("id").GetString() == channelId).Select(c => (JsonElement?)c).FirstOrDefault();

    [Fact]
    public async Task A_point_of_contact_is_created_at_cxone_with_its_icon_and_its_settings_are_never_returned()
    {
        var request = NewPoc();

        var created = await Admin.CreatePointOfContactAsync(request);

        var atCxone = await AtCxoneAsync(request.ChannelId);
        Assert.NotNull(atCxone);
        Assert.Equal("telegram", atCxone.Value.GetProperty("externalPlatformIcon").GetString());
        Assert.Equal("acme", atCxone.Value.GetProperty("channelIntegrationId").GetString());
        Assert.Equal("Support desk", atCxone.Value.GetProperty("name").GetString());
        Assert.True(created.RegisteredWithAllFields);
        var got = (await Admin.GetPointOfContactAsync(new GetPointOfContactRequest { Scope = AdministrationStack.ScopeA, ChannelId = request.ChannelId })).PointOfContact;
        Assert.Equal(["token"], got.SettingsSet);
        Assert.Equal(AdministrationStack.TenantA, got.TenantId);
        Assert.DoesNotContain("platform-secret-token", got.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("platform-secret-token", created.ToString(), StringComparison.Ordinal);
        // The connector reads the settings from the vault, decrypted: they were stored, only never shown back.
        Assert.Equal("platform-secret-token", (await stack.Service<RegistryStore>().GetAccountSettingsAsync(request.ChannelId))["token"]);
    }

    [Theory]
    [InlineData("icon", "not-an-icon")]
    [InlineData("name", "")]
    [InlineData("connector", "Not A Connector")]
    [InlineData("accountId", "")]
    [InlineData("channelId", "has spaces")]
    [InlineData("settings.token", "")]
    public async Task Bad_input_is_refused_naming_the_field_and_nothing_reaches_cxone(string field, string value)
    {
        var request = NewPoc();
        switch (field)
        {
            case "icon": request.Icon = value; break;
            case "name": request.Name = value; break;
            case "connector": request.Connector = value; break;
            case "accountId": request.AccountId = value; break;
            case "channelId": request.ChannelId = value; break;
            case "settings.token": request.Settings.Clear(); break;
        }

        var e = await Assert.ThrowsAsync<RpcException>(() => Admin.CreatePointOfContactAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(field, AdministrationStack.FieldOf(e));
        Assert.Null(await AtCxoneAsync(request.ChannelId));
    }

    [Fact]
    public async Task The_icon_refusal_lists_cxones_icons()
    {
        var request = NewPoc();
        request.Icon = "";

        var e = await Assert.ThrowsAsync<RpcException>(() => Admin.CreatePointOfContactAsync(request).ResponseAsync);

        Assert.Contains("whatsapp", e.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("telegram", (await Admin.ListIconsAsync(new ListIconsRequest())).Icons);
    }

    [Fact]
    public async Task A_cxone_refusal_is_passed_on_with_its_status_and_body_and_nothing_is_stored()
    {
        var request = NewPoc();
        // Both attempts (all fields, then the core fields) are refused.
        await stack.Sandbox.AddFaultAsync("status", 2, "/dfo/3.0/channels", statusCode: 400);

        var e = await Assert.ThrowsAsync<RpcException>(() => Admin.CreatePointOfContactAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("400", e.Trailers.GetValue("cxone-status"));
        Assert.NotNull(e.Trailers.GetValue("cxone-body"));
        Assert.Null(await stack.Service<RegistryStore>().GetChannelAsync(request.ChannelId));
    }

    [Fact]
    public async Task The_same_account_cannot_be_two_points_of_contact()
    {
        var first = NewPoc();
        await Admin.CreatePointOfContactAsync(first);
        var second = NewPoc();
        second.AccountId = first.AccountId;

        var e = await Assert.ThrowsAsync<RpcException>(() => Admin.CreatePointOfContactAsync(second).ResponseAsync);

        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
        Assert.Equal("accountId", AdministrationStack.FieldOf(e));
    }

    [Fact]
    public async Task Tenant_b_neither_sees_nor_changes_nor_deletes_tenant_as_point_of_contact()
    {
        var request = NewPoc();
        await Admin.CreatePointOfContactAsync(request);
        var scopeB = AdministrationStack.ScopeB;

        var get = await Assert.ThrowsAsync<RpcException>(() => Admin.GetPointOfContactAsync(new GetPointOfContactRequest { Scope = scopeB, ChannelId = request.ChannelId }).ResponseAsync);
        var update = await Assert.ThrowsAsync<RpcException>(() => Admin.UpdatePointOfContactAsync(new UpdatePointOfContactRequest { Scope = scopeB, ChannelId = request.ChannelId, Name = "taken over" }).ResponseAsync);
        var delete = await Assert.ThrowsAsync<RpcException>(() => Admin.DeletePointOfContactAsync(new DeletePointOfContactRequest { Scope = scopeB, ChannelId = request.ChannelId }).ResponseAsync);
        var check = await Assert.ThrowsAsync<RpcException>(() => Admin.CheckPointOfContactAsync(new CheckPointOfContactRequest { Scope = scopeB, ChannelId = request.ChannelId }).ResponseAsync);
        var list = await Admin.ListPointsOfContactAsync(new ListPointsOfContactRequest { Scope = scopeB, PageSize = 200 });
        // Nor can B create in A's integration: it is as unknown as a made-up one.
        var create = await Assert.ThrowsAsync<RpcException>(() => Admin.CreatePointOfContactAsync(NewPoc(scope: scopeB)).ResponseAsync);

        Assert.All(new[] { get, update, delete, check }, e => Assert.Equal(StatusCode.NotFound, e.StatusCode));
        Assert.Equal("integrationId", AdministrationStack.FieldOf(create));
        Assert.Equal(["globex-1"], list.PointsOfContact.Select(p => p.ChannelId));
        Assert.NotNull(await AtCxoneAsync(request.ChannelId));
        Assert.Equal("Support desk", (await Admin.GetPointOfContactAsync(new GetPointOfContactRequest { Scope = AdministrationStack.ScopeA, ChannelId = request.ChannelId })).PointOfContact.Name);
    }

    [Fact]
    public async Task An_empty_scope_sees_nothing()
    {
        var list = await Admin.ListPointsOfContactAsync(new ListPointsOfContactRequest { Scope = new TenantScope(), PageSize = 200 });
        var integrations = await Admin.ListIntegrationsAsync(new ListIntegrationsRequest());

        Assert.Empty(list.PointsOfContact);
        Assert.Empty(integrations.Integrations);
    }

    [Fact]
    public async Task A_change_of_name_and_icon_reaches_cxone_and_settings_merge_write_only()
    {
        var request = NewPoc();
        await Admin.CreatePointOfContactAsync(request);

        var changed = (await Admin.UpdatePointOfContactAsync(new UpdatePointOfContactRequest
        {
            Scope = AdministrationStack.ScopeA,
            ChannelId = request.ChannelId,
            Name = "Sales desk",
            Icon = "whatsapp",
            Settings = { ["webhookSecret"] = "hook-secret" },
        })).PointOfContact;

        var atCxone = await AtCxoneAsync(request.ChannelId);
        Assert.Equal("Sales desk", atCxone!.Value.GetProperty("name").GetString());
        Assert.Equal("whatsapp", atCxone.Value.GetProperty("externalPlatformIcon").GetString());
        Assert.Equal(["token", "webhookSecret"], changed.SettingsSet);

        var cleared = (await Admin.UpdatePointOfContactAsync(new UpdatePointOfContactRequest
        {
            Scope = AdministrationStack.ScopeA,
            ChannelId = request.ChannelId,
            ClearSettings = { "webhookSecret" },
        })).PointOfContact;

        Assert.Equal(["token"], cleared.SettingsSet);
        Assert.Equal("Sales desk", cleared.Name);
        Assert.Equal("platform-secret-token", (await stack.Service<RegistryStore>().GetAccountSettingsAsync(request.ChannelId))["token"]);
    }

    [Fact]
    public async Task A_bad_icon_on_change_is_refused_by_field()
    {
        var request = NewPoc();
        await Admin.CreatePointOfContactAsync(request);

        var e = await Assert.ThrowsAsync<RpcException>(() => Admin.UpdatePointOfContactAsync(new UpdatePointOfContactRequest
        {
            Scope = AdministrationStack.ScopeA, ChannelId = request.ChannelId, Icon = "bogus",
        }).ResponseAsync);

        Assert.Equal("icon", AdministrationStack.FieldOf(e));
    }

    [Fact]
    public async Task Delete_removes_it_at_cxone_then_here()
    {
        var request = NewPoc();
        await Admin.CreatePointOfContactAsync(request);

        var deleted = await Admin.DeletePointOfContactAsync(new DeletePointOfContactRequest { Scope = AdministrationStack.ScopeA, ChannelId = request.ChannelId });

        Assert.Equal(AdministrationStack.TenantA, deleted.TenantId);
        Assert.Null(await AtCxoneAsync(request.ChannelId));
        var e = await Assert.ThrowsAsync<RpcException>(() => Admin.GetPointOfContactAsync(new GetPointOfContactRequest { Scope = AdministrationStack.ScopeA, ChannelId = request.ChannelId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Null(await stack.Service<RegistryStore>().FindChannelAsync("test", request.AccountId));
    }

    [Fact]
    public async Task Delete_of_a_point_of_contact_cxone_no_longer_has_deletes_it_here()
    {
        var request = NewPoc();
        await Admin.CreatePointOfContactAsync(request);
        await stack.Sandbox.AddFaultAsync("status", 1, $"/dfo/3.0/channels/{request.ChannelId}", statusCode: 404);

        await Admin.DeletePointOfContactAsync(new DeletePointOfContactRequest { Scope = AdministrationStack.ScopeA, ChannelId = request.ChannelId });

        Assert.Null(await stack.Service<RegistryStore>().GetChannelAsync(request.ChannelId));
    }

    [Fact]
    public async Task Delete_that_cxone_refuses_keeps_the_point_of_contact_and_passes_cxones_answer_on()
    {
        var request = NewPoc();
        await Admin.CreatePointOfContactAsync(request);
        await stack.Sandbox.AddFaultAsync("status", 1, $"/dfo/3.0/channels/{request.ChannelId}", statusCode: 403);

        var e = await Assert.ThrowsAsync<RpcException>(() => Admin.DeletePointOfContactAsync(new DeletePointOfContactRequest { Scope = AdministrationStack.ScopeA, ChannelId = request.ChannelId }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("403", e.Trailers.GetValue("cxone-status"));
        Assert.NotNull(await stack.Service<RegistryStore>().GetChannelAsync(request.ChannelId));
    }

    [Fact]
    public async Task Check_asks_the_connector_about_the_credentials_and_cxone_about_the_channel()
    {
        var good = NewPoc();
        await Admin.CreatePointOfContactAsync(good);
        var bad = NewPoc();
        bad.AccountId = Sample.Unique("bad");
        await Admin.CreatePointOfContactAsync(bad);

        var goodCheck = await Admin.CheckPointOfContactAsync(new CheckPointOfContactRequest { Scope = AdministrationStack.ScopeA, ChannelId = good.ChannelId });
        var badCheck = await Admin.CheckPointOfContactAsync(new CheckPointOfContactRequest { Scope = AdministrationStack.ScopeA, ChannelId = bad.ChannelId });

        Assert.True(goodCheck.AccountOk);
        Assert.True(goodCheck.CxoneOk);
        Assert.False(badCheck.AccountOk);
        Assert.Contains("bad token", badCheck.AccountDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ten_thousand_points_of_contact_are_paged_in_name_order_and_filtered_fast()
    {
        const string tenant = "33ee0000-many-0000-0000-000000000003";
        var registry = stack.Service<RegistryStore>();
        var integration = (await registry.GetIntegrationAsync("initech"))! with { Id = "many", TenantId = tenant, ClientId = "many-client" };
        await registry.UpsertIntegrationAsync(integration, "many-secret");
        // Written straight to the registry (not at CXone): the list is what is measured.
        for (var batch = 0; batch < 10_000; batch += 500)
        {
            await Task.WhenAll(Enumerable.Range(batch, 500).Select(i =>
                registry.UpsertChannelAsync(new Channel($"many-{i:D5}", "many", "test", $"many-acct-{i:D5}", $"Desk {i:D5}", "forum"))));
        }

        var scope = new TenantScope { TenantIds = { tenant } };
        var watch = Stopwatch.StartNew();
        var first = await Admin.ListPointsOfContactAsync(new ListPointsOfContactRequest { Scope = scope, PageSize = 100 });
        var second = await Admin.ListPointsOfContactAsync(new ListPointsOfContactRequest { Scope = scope, PageSize = 100, Cursor = first.NextCursor });
        var filtered = await Admin.ListPointsOfContactAsync(new ListPointsOfContactRequest { Scope = scope, PageSize = 100, Filter = "desk 0999" });
        var lastPage = await Admin.ListPointsOfContactAsync(new ListPointsOfContactRequest { Scope = scope, PageSize = 100, Filter = "09999" });
        watch.Stop();

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"many-{i:D5}"), first.PointsOfContact.Select(p => p.ChannelId));
        Assert.Equal(Enumerable.Range(100, 100).Select(i => $"many-{i:D5}"), second.PointsOfContact.Select(p => p.ChannelId));
        Assert.Equal(Enumerable.Range(9990, 10).Select(i => $"many-{i:D5}"), filtered.PointsOfContact.Select(p => p.ChannelId));
        Assert.Empty(filtered.NextCursor);
        Assert.Equal(["many-09999"], lastPage.PointsOfContact.Select(p => p.ChannelId));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"four pages took {watch.Elapsed}");
        // Another tenant's list is not slowed down nor filled by them.
        var a = await Admin.ListPointsOfContactAsync(new ListPointsOfContactRequest { Scope = AdministrationStack.ScopeA, PageSize = 200, Filter = "many-" });
        Assert.Empty(a.PointsOfContact);
    }

    [Fact]
    public async Task A_page_size_out_of_range_is_refused_by_field()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Admin.ListPointsOfContactAsync(new ListPointsOfContactRequest { Scope = AdministrationStack.ScopeA, PageSize = 1000 }).ResponseAsync);

        Assert.Equal("pageSize", AdministrationStack.FieldOf(e));
    }
}
