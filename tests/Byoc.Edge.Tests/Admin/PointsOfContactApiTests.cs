using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Edge.Tests.Infrastructure;

namespace Byoc.Edge.Tests.Admin;

/// <summary>
/// /admin/api/points-of-contact over the fake Conversations: roles (a Viewer reads, only an Admin changes), tenant
/// scope (A never sees nor changes B's), every change audited with who and when, bad fields and CXone's refusals named.
/// </summary>
public sealed class PointsOfContactApiTests(EdgeHost host) : AdminApiTest(host)
{
    private const string Path = "/admin/api/points-of-contact";

    private static object NewPoc(string name = "Support desk", string icon = "telegram") => new
    {
        integrationId = TestData.IntegrationA,
        connector = "junglebook",
        accountId = $"acct-{Guid.NewGuid():N}",
        name,
        icon,
        settings = new Dictionary<string, string> { ["token"] = "very-secret-token" },
    };

    private static async Task<IReadOnlyList<JsonElement>> AuditAsync(HttpClient client)
    {
        var entries = await client.GetFromJsonAsync<JsonElement>("/admin/api/audit");
        return [.. entries.EnumerateArray()];
    }

    [Fact]
    public async Task An_admin_creates_a_point_of_contact_and_gets_the_webhook_url_but_never_the_settings()
    {
        using var admin = AdminOfA();

        using var response = await admin.PostAsJsonAsync(Path, NewPoc());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("very-secret-token", body, StringComparison.Ordinal);
        var created = JsonDocument.Parse(body).RootElement;
        var id = created.GetProperty("channelId").GetString()!;
        Assert.Equal(["token"], created.GetProperty("settingsSet").EnumerateArray().Select(s => s.GetString()));
        var account = created.GetProperty("accountId").GetString();
        Assert.Equal($"http://localhost/hooks/junglebook/{account}", created.GetProperty("webhookUrl").GetString());
        Assert.Equal($"/admin/api/points-of-contact/{id}", response.Headers.Location?.OriginalString);
        Assert.NotNull(Conversations.Administration.Find(id));
    }

    [Fact]
    public async Task The_webhook_url_uses_the_configured_public_base_url()
    {
        await using var edge = Host.Create(new Dictionary<string, string?> { ["Edge:PublicBaseUrl"] = "https://byoc.example.com/" }, HeaderAdmins.AddTo);
        using var admin = HeaderAdmins.Client(edge, HeaderAdmins.Admin, "ada", TestData.TenantA);

        var poc = await admin.GetFromJsonAsync<JsonElement>($"{Path}/{TestData.ChannelA}");

        Assert.Equal($"https://byoc.example.com/hooks/junglebook/account-of-{TestData.ChannelA}", poc.GetProperty("webhookUrl").GetString());
    }

    [Fact]
    public async Task A_viewer_reads_but_every_change_answers_403_and_reaches_nothing()
    {
        using var viewer = ViewerOfA();

        using var list = await viewer.GetAsync(Path);
        using var check = await viewer.PostAsync($"{Path}/{TestData.ChannelA}/check", null);
        using var create = await viewer.PostAsJsonAsync(Path, NewPoc());
        using var update = await viewer.PatchAsJsonAsync($"{Path}/{TestData.ChannelA}", new { name = "mine" });
        using var delete = await viewer.DeleteAsync($"{Path}/{TestData.ChannelA}");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden], new[] { create.StatusCode, update.StatusCode, delete.StatusCode });
        Assert.Equal($"Desk {TestData.ChannelA}", Conversations.Administration.Find(TestData.ChannelA)!.Name);
        Assert.Empty(await AuditAsync(viewer));
    }

    [Fact]
    public async Task Tenant_a_neither_sees_nor_changes_nor_deletes_tenant_bs_point_of_contact()
    {
        using var admin = AdminOfA();

        var list = await admin.GetFromJsonAsync<JsonElement>(Path);
        using var get = await admin.GetAsync($"{Path}/{TestData.ChannelB}");
        using var update = await admin.PatchAsJsonAsync($"{Path}/{TestData.ChannelB}", new { name = "taken over" });
        using var delete = await admin.DeleteAsync($"{Path}/{TestData.ChannelB}");
        var create = NewPoc();
        using var createInB = await admin.PostAsJsonAsync(Path, new { integrationId = TestData.IntegrationB, connector = "junglebook", accountId = "x", name = "x", icon = "forum" });

        Assert.Equal([TestData.ChannelA], list.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("channelId").GetString()));
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound], new[] { get.StatusCode, update.StatusCode, delete.StatusCode });
        Assert.Equal(HttpStatusCode.BadRequest, createInB.StatusCode);
        Assert.Equal("integrationId", (await JsonOf(createInB)).GetProperty("field").GetString());
        Assert.NotNull(Conversations.Administration.Find(TestData.ChannelB));
        Assert.Equal($"Desk {TestData.ChannelB}", Conversations.Administration.Find(TestData.ChannelB)!.Name);
        // Every call carried A's scope, never more.
        Assert.All(Conversations.Administration.Scopes, s => Assert.Equal([TestData.TenantA], s.TenantIds));
        Assert.All(Conversations.Administration.Scopes, s => Assert.False(s.AllTenants));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"text":"renamed?"}""")]
    [InlineData("""{"settings":{},"clearSettings":[]}""")]
    [InlineData("""{"settings":{"token":""}}""")]
    public async Task A_change_naming_nothing_to_change_answers_400_and_is_neither_sent_nor_audited(string body)
    {
        using var admin = AdminOfA();
        var audited = (await AuditAsync(admin)).Count;

        using var response = await admin.PatchAsync($"{Path}/{TestData.ChannelA}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Nothing to change", (await JsonOf(response)).GetProperty("title").GetString());
        Assert.Equal(audited, (await AuditAsync(admin)).Count);
        Assert.Empty(Conversations.Administration.Scopes);
    }

    [Fact]
    public async Task A_page_size_of_zero_answers_400_naming_it_instead_of_the_default_page()
    {
        using var admin = AdminOfA();

        using var response = await admin.GetAsync($"{Path}?pageSize=0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("pageSize", (await JsonOf(response)).GetProperty("field").GetString());
        Assert.Empty(Conversations.Administration.Scopes);
    }

    [Theory]
    [InlineData("utf-7")]
    [InlineData("no-such-charset")]
    public async Task A_body_in_a_charset_net_cannot_read_answers_415_not_a_server_error(string charset)
    {
        // Found by the hostile-input suite: binding the body threw, and the change answered 500.
        using var admin = AdminOfA();
        using var body = new StringContent("""{"name":"Renamed"}""");
        body.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse($"application/json; charset={charset}");

        using var response = await admin.PatchAsync($"{Path}/{TestData.ChannelA}", body);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(Conversations.Administration.Scopes);
    }

    [Theory]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"   "}""", "name")]
    [InlineData("""{"icon":""}""", "icon")]
    public async Task A_blank_name_or_icon_answers_400_naming_it_and_is_neither_sent_nor_audited(string body, string field)
    {
        // Found by the hostile-input suite: Conversations reads a blank name as "keep", so this answered 200 and was audited.
        using var admin = AdminOfA();
        var audited = (await AuditAsync(admin)).Count;

        using var response = await admin.PatchAsync($"{Path}/{TestData.ChannelA}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await JsonOf(response)).GetProperty("field").GetString());
        Assert.Equal(audited, (await AuditAsync(admin)).Count);
        Assert.Empty(Conversations.Administration.Scopes);
    }

    [Fact]
    public async Task Every_change_is_audited_with_who_when_and_what_and_never_a_secret()
    {
        using var admin = AdminOfA();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        using var created = await admin.PostAsJsonAsync(Path, NewPoc());
        var id = (await JsonOf(created)).GetProperty("channelId").GetString();
        using var updated = await admin.PatchAsJsonAsync($"{Path}/{id}", new { name = "Renamed", settings = new Dictionary<string, string> { ["webhookSecret"] = "hook-secret-value" } });
        using var deleted = await admin.DeleteAsync($"{Path}/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var audit = (await AuditAsync(admin)).Where(e => e.GetProperty("target").GetString() == $"point-of-contact:{id}").ToList();
        Assert.Equal(["point-of-contact.delete", "point-of-contact.update (settings: webhookSecret)", "point-of-contact.create"], audit.Select(e => e.GetProperty("action").GetString()));
        Assert.All(audit, e =>
        {
            Assert.Equal("ada@a.example", e.GetProperty("who").GetString());
            Assert.Equal("entra", e.GetProperty("via").GetString());
            Assert.Equal(TestData.TenantA, e.GetProperty("tenantId").GetString());
            Assert.True(e.GetProperty("at").GetDateTimeOffset() >= before);
        });
        Assert.DoesNotContain("hook-secret-value", JsonSerializer.Serialize(audit), StringComparison.Ordinal);
        // Tenant B's admin does not see A's audit.
        using var adminOfB = AdminOfB();
        Assert.DoesNotContain(await AuditAsync(adminOfB), e => e.GetProperty("target").GetString() == $"point-of-contact:{id}");
    }

    [Fact]
    public async Task A_bad_icon_is_a_problem_naming_the_field()
    {
        using var admin = AdminOfA();

        using var response = await admin.PostAsJsonAsync(Path, NewPoc(icon: "not-an-icon"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonOf(response);
        Assert.Equal("icon", problem.GetProperty("field").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("icon", out _));
    }

    [Fact]
    public async Task Cxones_refusal_is_passed_on_with_its_status_and_body()
    {
        using var admin = AdminOfA();

        using var response = await admin.PostAsJsonAsync(Path, NewPoc(name: FakeAdministration.RefusedName));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problem = await JsonOf(response);
        Assert.Equal(400, problem.GetProperty("cxoneStatus").GetInt32());
        Assert.Equal(FakeAdministration.CxoneRefusalBody, problem.GetProperty("cxoneBody").GetString());
    }

    [Fact]
    public async Task The_icon_list_is_cxones()
    {
        using var viewer = ViewerOfA();

        var icons = await viewer.GetFromJsonAsync<string[]>("/admin/api/icons");

        Assert.Contains("telegram", icons!);
    }

    [Fact]
    public async Task Without_credentials_the_api_answers_401()
    {
        using var response = await Client.GetAsync(Path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
