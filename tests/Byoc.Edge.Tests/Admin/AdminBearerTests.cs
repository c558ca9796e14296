extern alias edge;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Byoc.Edge.Tests.Infrastructure;
using edge::Byoc.Edge.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Byoc.Edge.Tests.Admin;

/// <summary>Entra ID bearer tokens on the admin API: roles from app roles, tenant scope from byoc_tenant claims.</summary>
public sealed class AdminBearerTests(EdgeHost host) : EdgeTest(host), IAsyncLifetime
{
    private EdgeFactory? _edge;

    private EdgeFactory Edge => _edge ??= Host.Create(services: s => s.AddSingleton<IStartupFilter, TestChangeEndpoint>());

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_edge is not null)
        {
            await _edge.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    [Fact]
    public async Task A_viewer_reads_the_admin_api()
    {
        using var response = await SendAsync(HttpMethod.Get, "/admin/api/audit", AdminTokens.Bearer(AdminTokens.Viewer));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_viewer_is_forbidden_a_change()
    {
        using var response = await SendAsync(HttpMethod.Post, TestChangeEndpoint.Path, AdminTokens.Bearer(AdminTokens.Viewer));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_admin_changes_as_an_entra_user_of_the_tenants_in_the_token()
    {
        using var response = await SendAsync(HttpMethod.Post, TestChangeEndpoint.Path, AdminTokens.Create(AdminTokens.Admin, [TestData.TenantA], "Grace Admin", TimeSpan.FromMinutes(5)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var user = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Grace Admin", user.GetProperty("name").GetString());
        Assert.Equal("entra", user.GetProperty("via").GetString());
        Assert.Equal(AdminRoles.Admin, user.GetProperty("role").GetString());
        Assert.Equal([TestData.TenantA], user.GetProperty("tenantIds").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task An_admin_token_without_tenant_claims_is_an_admin_of_every_tenant()
    {
        using var response = await SendAsync(HttpMethod.Post, TestChangeEndpoint.Path, AdminTokens.Bearer(AdminTokens.Admin));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var user = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonValueKind.Null, user.GetProperty("tenantIds").ValueKind);
    }

    [Fact]
    public async Task A_token_with_neither_admin_role_is_forbidden()
    {
        using var read = await SendAsync(HttpMethod.Get, "/admin/api/audit", AdminTokens.Bearer("Byoc.Other"));
        using var change = await SendAsync(HttpMethod.Post, TestChangeEndpoint.Path, AdminTokens.Bearer("Byoc.Other"));

        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, change.StatusCode);
    }

    [Fact]
    public async Task A_viewer_of_one_tenant_reads_only_that_tenants_audit()
    {
        var audit = Edge.Services.GetRequiredService<AdminAudit>();
        var marker = Guid.NewGuid().ToString("N");
        var who = new AdminUser("auditor", "api-key", AdminRoles.Admin, null);
        await audit.RecordAsync(who, "test.change", $"{marker}-a", TestData.TenantA, CancellationToken.None);
        await audit.RecordAsync(who, "test.change", $"{marker}-b", TestData.TenantB, CancellationToken.None);

        using var response = await SendAsync(HttpMethod.Get, "/admin/api/audit?count=1000", AdminTokens.Bearer(AdminTokens.Viewer, TestData.TenantA));

        var targets = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .Select(e => e.GetProperty("target").GetString()).ToList();
        Assert.Contains($"{marker}-a", targets);
        Assert.DoesNotContain($"{marker}-b", targets);
    }

    [Fact]
    public async Task CXones_own_bearer_never_opens_the_admin_api()
    {
        var cxone = await TokenAsync(Client);

        using var read = await SendAsync(HttpMethod.Get, "/admin/api/audit", cxone);
        using var change = await SendAsync(HttpMethod.Post, TestChangeEndpoint.Path, cxone);

        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, change.StatusCode);
    }

    [Fact]
    public async Task A_token_signed_by_another_key_or_expired_is_refused()
    {
        var otherKey = new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(new byte[32]) { KeyId = "admin-tests" };
        using var forged = await SendAsync(HttpMethod.Get, "/admin/api/audit", AdminTokens.Create(AdminTokens.Admin, [], "mallory", TimeSpan.FromMinutes(5), otherKey));
        using var expired = await SendAsync(HttpMethod.Get, "/admin/api/audit", AdminTokens.Create(AdminTokens.Admin, [], "late", TimeSpan.FromMinutes(-2)));

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task Without_AzureAd_ClientId_no_bearer_opens_the_admin_api()
    {
        await using var edge = Host.Create(new Dictionary<string, string?> { ["AzureAd:ClientId"] = "" });
        using var client = edge.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/api/audit");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminTokens.Bearer(AdminTokens.Admin));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string bearer)
    {
        using var client = Edge.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return await client.SendAsync(request);
    }
}
