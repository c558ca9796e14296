using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Edge.Tests.Infrastructure;

namespace Byoc.Edge.Tests.Admin;

/// <summary>
/// /admin/api/integrations: generate, rotate and revoke the client credentials CXone uses (tokens follow at once on
/// this Edge), the CXone access (write-only), the BYOC form values; roles, tenant scope and audit enforced.
/// </summary>
public sealed class CredentialsApiTests(EdgeHost host) : AdminApiTest(host)
{
    private const string Path = "/admin/api/integrations";

    [Fact]
    public async Task Integrations_of_the_users_tenant_are_listed_with_the_byoc_form_values()
    {
        using var viewer = ViewerOfA();

        var list = await viewer.GetFromJsonAsync<JsonElement>(Path);

        var only = Assert.Single(list.EnumerateArray());
        Assert.Equal(TestData.IntegrationA, only.GetProperty("integrationId").GetString());
        var form = only.GetProperty("byocForm");
        Assert.Equal("http://localhost", form.GetProperty("boxUrl").GetString());
        Assert.Equal("http://localhost/1.0/token", form.GetProperty("authorizationUrl").GetString());
        Assert.Equal("http://localhost/settings", form.GetProperty("actionUrl").GetString());
    }

    [Fact]
    public async Task Generated_credentials_get_a_token_at_once_and_the_old_ones_and_their_tokens_stop()
    {
        var oldToken = await TokenAsync(AdminEdge.CreateClient());
        using var admin = AdminOfA();

        using var response = await admin.PostAsJsonAsync($"{Path}/{TestData.IntegrationA}/credentials", new { });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var issued = await JsonOf(response);
        var clientId = issued.GetProperty("clientId").GetString()!;
        Assert.NotEqual(TestData.ClientA, clientId);
        using var edge = AdminEdge.CreateClient();
        Assert.False(string.IsNullOrEmpty(await TokenAsync(edge, clientId, issued.GetProperty("clientSecret").GetString()!)));
        using var oldPair = await RequestTokenAsync(edge, TestData.ClientA, TestData.SecretA);
        Assert.Equal(HttpStatusCode.Unauthorized, oldPair.StatusCode);
        using var callback = await PostAsync(edge, $"/2.0/channel/{TestData.ChannelA}/outbound", "{}", oldToken);
        Assert.Equal(HttpStatusCode.Unauthorized, callback.StatusCode);
    }

    [Fact]
    public async Task Rotation_keeps_the_old_secret_for_the_overlap_and_revoke_previous_ends_it()
    {
        using var admin = AdminOfA();

        using var rotated = await admin.PostAsJsonAsync($"{Path}/{TestData.IntegrationA}/client-secret", new { previousSecretOverlapMinutes = 60 });
        var secret = (await JsonOf(rotated)).GetProperty("clientSecret").GetString()!;
        using var edge = AdminEdge.CreateClient();
        Assert.False(string.IsNullOrEmpty(await TokenAsync(edge, TestData.ClientA, secret)));
        Assert.False(string.IsNullOrEmpty(await TokenAsync(edge, TestData.ClientA, TestData.SecretA)));

        using var revoked = await admin.PostAsync($"{Path}/{TestData.IntegrationA}/client-secret/revoke-previous", null);

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        using var old = await RequestTokenAsync(edge, TestData.ClientA, TestData.SecretA);
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(60), Assert.Single(Conversations.Integrations.IssueCalls).PreviousSecretOverlap.ToTimeSpan());
    }

    [Fact]
    public async Task Revoke_ends_every_token_already_issued()
    {
        using var edge = AdminEdge.CreateClient();
        var token = await TokenAsync(edge);
        using var admin = AdminOfA();

        using var revoked = await admin.PostAsync($"{Path}/{TestData.IntegrationA}/credentials/revoke", null);

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        using var callback = await PostAsync(edge, $"/2.0/channel/{TestData.ChannelA}/outbound", "{}", token);
        Assert.Equal(HttpStatusCode.Unauthorized, callback.StatusCode);
        using var again = await RequestTokenAsync(edge, TestData.ClientA, TestData.SecretA);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        var audit = await admin.GetFromJsonAsync<JsonElement>("/admin/api/audit");
        var entry = audit.EnumerateArray().First();
        Assert.Equal(("credentials.revoke", $"integration:{TestData.IntegrationA}", "ada@a.example"),
            (entry.GetProperty("action").GetString(), entry.GetProperty("target").GetString(), entry.GetProperty("who").GetString()));
    }

    [Fact]
    public async Task Tenant_a_can_neither_generate_rotate_revoke_nor_set_access_for_tenant_b()
    {
        using var admin = AdminOfA();

        using var generate = await admin.PostAsJsonAsync($"{Path}/{TestData.IntegrationB}/credentials", new { });
        using var rotate = await admin.PostAsJsonAsync($"{Path}/{TestData.IntegrationB}/client-secret", new { });
        using var revokePrevious = await admin.PostAsync($"{Path}/{TestData.IntegrationB}/client-secret/revoke-previous", null);
        using var revoke = await admin.PostAsync($"{Path}/{TestData.IntegrationB}/credentials/revoke", null);
        using var access = await admin.PutAsJsonAsync($"{Path}/{TestData.IntegrationB}/cxone-access", new { appClientId = "mine" });

        Assert.All(new[] { generate, rotate, revokePrevious, revoke, access }, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Empty(Conversations.Integrations.IssueCalls);
        Assert.Empty(Conversations.Integrations.RevokeCalls);
        Assert.False(string.IsNullOrEmpty(await TokenAsync(AdminEdge.CreateClient(), TestData.ClientB, TestData.SecretB)));
    }

    [Fact]
    public async Task A_viewer_cannot_change_credentials()
    {
        using var viewer = ViewerOfA();

        using var generate = await viewer.PostAsJsonAsync($"{Path}/{TestData.IntegrationA}/credentials", new { });
        using var revoke = await viewer.PostAsync($"{Path}/{TestData.IntegrationA}/credentials/revoke", null);
        using var access = await viewer.PutAsJsonAsync($"{Path}/{TestData.IntegrationA}/cxone-access", new { appClientId = "mine" });

        Assert.All(new[] { generate, revoke, access }, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.False(string.IsNullOrEmpty(await TokenAsync(AdminEdge.CreateClient())));
    }

    [Fact]
    public async Task Cxone_access_is_write_only_and_a_key_without_its_secret_is_refused_by_field()
    {
        using var admin = AdminOfA();

        using var set = await admin.PutAsJsonAsync($"{Path}/{TestData.IntegrationA}/cxone-access", new { appClientId = "new-app", appClientSecret = "new-app-secret" });
        using var lonely = await admin.PutAsJsonAsync($"{Path}/{TestData.IntegrationA}/cxone-access", new { accessKeyId = "lonely" });

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var body = await set.Content.ReadAsStringAsync();
        Assert.DoesNotContain("new-app-secret", body, StringComparison.Ordinal);
        Assert.Equal("new-app", JsonDocument.Parse(body).RootElement.GetProperty("cxoneAppClientId").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, lonely.StatusCode);
        Assert.Equal("accessKeySecret", (await JsonOf(lonely)).GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"accessKey":"typo","appClientId":""}""")]
    public async Task A_cxone_access_change_giving_no_field_answers_400_and_is_not_audited(string body)
    {
        using var admin = AdminOfA();
        var audited = (await admin.GetFromJsonAsync<JsonElement>("/admin/api/audit")).GetArrayLength();

        using var response = await admin.PutAsync($"{Path}/{TestData.IntegrationA}/cxone-access", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Nothing to change", (await JsonOf(response)).GetProperty("title").GetString());
        Assert.Equal(audited, (await admin.GetFromJsonAsync<JsonElement>("/admin/api/audit")).GetArrayLength());
    }

    [Fact]
    public async Task An_overlap_out_of_range_is_a_problem_naming_the_field()
    {
        using var admin = AdminOfA();

        using var response = await admin.PostAsJsonAsync($"{Path}/{TestData.IntegrationA}/client-secret", new { previousSecretOverlapMinutes = -5 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("previousSecretOverlapMinutes", (await JsonOf(response)).GetProperty("field").GetString());
        Assert.Empty(Conversations.Integrations.IssueCalls);
    }

    [Fact]
    public async Task Channel_refusals_are_only_the_users_tenants()
    {
        Conversations.Operations.Refusals.Enqueue(new Byoc.Conversations.V1.ChannelRefusal { ChannelId = TestData.ChannelA, IntegrationId = TestData.IntegrationA, StatusCode = 400, Body = "a" });
        Conversations.Operations.Refusals.Enqueue(new Byoc.Conversations.V1.ChannelRefusal { ChannelId = TestData.ChannelB, IntegrationId = TestData.IntegrationB, StatusCode = 400, Body = "b" });
        using var viewer = ViewerOfA();

        var refusals = await viewer.GetFromJsonAsync<JsonElement>("/admin/api/channel-refusals");

        Assert.Equal([TestData.ChannelA], refusals.GetProperty("refusals").EnumerateArray().Select(r => r.GetProperty("channelId").GetString()));
    }
}
