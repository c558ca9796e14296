extern alias edge;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Byoc.Edge.Tests.Infrastructure;
using edge::Byoc.Edge.Admin;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Byoc.Edge.Tests.Admin;

/// <summary>CXone's Action, Reconnect and Remove URLs: a one-time token opens a short admin session of one tenant.</summary>
public sealed class ActionUrlTests(EdgeHost host) : EdgeTest(host), IAsyncLifetime
{
    private const string Back = "https://na1.niceincontact.com/points-of-contact";
    private static readonly string Link = $"/settings?userId=1&brandId=2&token=good&apiHost={TestData.CxoneHostA}&backUrl={Uri.EscapeDataString(Back)}";

    private readonly RecordingActions _actions = new();
    private EdgeFactory? _edge;

    private EdgeFactory Edge => _edge ??= Host.Create(services: s =>
    {
        s.AddSingleton<IStartupFilter, TestChangeEndpoint>();
        s.AddSingleton<IPointOfContactActions>(_actions);
    });

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_edge is not null)
        {
            await _edge.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    [Fact]
    public async Task A_valid_link_starts_an_admin_session_of_the_tenant_in_a_secure_http_only_same_site_host_cookie()
    {
        using var browser = AdminSessions.Browser(Edge);

        using var opened = await browser.GetAsync(Link);

        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.Equal("/admin", opened.Headers.Location?.ToString());
        var cookie = Assert.Single(opened.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-byoc-admin=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("; secure", cookie, StringComparison.Ordinal);
        Assert.Contains("; httponly", cookie, StringComparison.Ordinal);
        Assert.Contains("; samesite=lax", cookie, StringComparison.Ordinal);
        Assert.Contains("; path=/", cookie, StringComparison.Ordinal);
        Assert.DoesNotContain("domain=", cookie, StringComparison.Ordinal);

        using var home = await AdminSessions.PageAsync(browser, "/admin");
        var page = await home.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Ada Admin · Admin · tenant-a", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"done\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Development sign-in", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_session_is_an_admin_of_that_cxone_tenant_only()
    {
        using var browser = AdminSessions.Browser(Edge);
        using var _ = await browser.GetAsync(Link);

        var user = await ChangeAsync(browser, withAntiforgery: true);

        Assert.Equal("Ada Admin", user.GetProperty("name").GetString());
        Assert.Equal("cxone-action-url", user.GetProperty("via").GetString());
        Assert.Equal("Byoc.Admin", user.GetProperty("role").GetString());
        Assert.Equal([TestData.TenantA], user.GetProperty("tenantIds").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task The_session_lasts_thirty_minutes()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        await using var edge = Host.Create(services: s => s.AddSingleton<TimeProvider>(time));
        using var browser = AdminSessions.Browser(edge);
        using var _ = await browser.GetAsync(Link);

        time.Advance(TimeSpan.FromMinutes(29));
        using var within = await browser.GetAsync("/admin/api/audit");
        time.Advance(TimeSpan.FromMinutes(2));
        using var after = await browser.GetAsync("/admin/api/audit");

        Assert.Equal(HttpStatusCode.OK, within.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Theory]
    [InlineData("used", 401, "This link has expired")]
    [InlineData("", 400, "This link is incomplete")]
    public async Task A_bad_expired_or_reused_token_shows_a_clear_page_with_the_way_back_to_cxone(string token, int status, string title)
    {
        using var browser = AdminSessions.Browser(Edge);

        using var response = await browser.GetAsync($"/settings?userId=1&brandId=2&token={token}&apiHost={TestData.CxoneHostA}&backUrl={Uri.EscapeDataString(Back)}");

        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, (int)response.StatusCode);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Contains($"<h1>{title}</h1>", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Back}\">Back to CXone</a>", page, StringComparison.Ordinal);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("__Host-byoc-admin=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Done_ends_the_session_and_returns_to_cxones_back_url()
    {
        using var browser = AdminSessions.Browser(Edge);
        using var _ = await browser.GetAsync(Link);

        using var done = await AdminSessions.SubmitAsync(browser, "/admin", "/admin/sign-out", []);
        using var afterwards = await browser.GetAsync("/admin/api/audit");

        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal(new Uri(Back), done.Headers.Location);
        Assert.Equal(HttpStatusCode.Unauthorized, afterwards.StatusCode);
    }

    [Fact]
    public async Task A_sign_out_posted_from_another_site_without_the_forms_token_leaves_the_session_alone()
    {
        using var browser = AdminSessions.Browser(Edge);
        using var _ = await browser.GetAsync(Link);

        using var forged = await browser.PostAsync("/admin/sign-out", new FormUrlEncodedContent([]));
        using var afterwards = await browser.GetAsync("/admin/api/audit");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }

    [Fact]
    public async Task A_change_with_the_session_cookie_but_without_the_antiforgery_header_is_refused()
    {
        using var browser = AdminSessions.Browser(Edge);
        using var _ = await browser.GetAsync(Link);

        using var response = await browser.PostAsync(TestChangeEndpoint.Path, null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await JsonOf(response);
        Assert.Equal("X-Byoc-Antiforgery", problem.GetProperty("field").GetString());
        // With the token the admin API hands out, the same change goes through.
        await ChangeAsync(browser, withAntiforgery: true);
    }

    [Fact]
    public async Task Api_key_and_bearer_changes_need_no_antiforgery_header()
    {
        using var client = Edge.CreateClient();
        using var withKey = new HttpRequestMessage(HttpMethod.Post, TestChangeEndpoint.Path);
        withKey.Headers.Add("X-Api-Key", TestData.AdminApiKey);
        using var withBearer = new HttpRequestMessage(HttpMethod.Post, TestChangeEndpoint.Path);
        withBearer.Headers.Authorization = new("Bearer", AdminTokens.Bearer(AdminTokens.Admin));

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(withKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(withBearer)).StatusCode);
    }

    [Fact]
    public async Task Reconnect_verifies_the_token_logs_cxones_request_without_it_and_checks_the_point_of_contact()
    {
        using var browser = AdminSessions.Browser(Edge);

        using var response = await browser.GetAsync($"/settings/reconnect?userId=1&brandId=2&token=good&apiHost={TestData.CxoneHostA}&backUrl={Uri.EscapeDataString(Back)}&channelId=chat-42");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Point of contact reconnected", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var (action, channel, user) = Assert.Single(_actions.Calls);
        Assert.Equal(("check", "chat-42", "cxone-action-url", true, false), (action, channel, user.Via, user.CanSee(TestData.TenantA), user.CanSee(TestData.TenantB)));
        var logged = Assert.Single(Edge.Logs.Entries, e => e.EventId.Name == "CxonePointOfContactAction").Message;
        Assert.Contains("channelId=chat-42", logged, StringComparison.Ordinal);
        Assert.Contains("token=[redacted]", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("token=good", logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_accepts_a_json_body_and_deletes_the_point_of_contact()
    {
        using var client = Edge.CreateClient();
        var body = $$$"""{"userId": 1, "brandId": 2, "token": "good", "apiHost": "{{{TestData.CxoneHostA}}}", "channel": {"id": "chat-43"}}""";

        using var response = await client.PostAsync("/settings/remove", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await JsonOf(response);
        Assert.True(answer.GetProperty("succeeded").GetBoolean());
        Assert.Equal(("delete", "chat-43"), (Assert.Single(_actions.Calls).Action, _actions.Calls.Single().ChannelId));
        var logged = Assert.Single(Edge.Logs.Entries, e => e.EventId.Name == "CxonePointOfContactAction").Message;
        Assert.Contains("\"token\":\"[redacted]\"", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("good", logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_with_a_used_token_changes_nothing()
    {
        using var browser = AdminSessions.Browser(Edge);

        using var response = await browser.GetAsync($"/settings/remove?userId=1&brandId=2&token=used&apiHost={TestData.CxoneHostA}&channelId=chat-44");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_actions.Calls);
    }

    [Fact]
    public async Task Until_points_of_contact_are_administered_reconnect_answers_501()
    {
        await using var edge = Host.Create(services: s => s.AddSingleton<IPointOfContactActions, NoPointOfContactActions>());
        using var client = edge.CreateClient();

        using var response = await client.PostAsJsonAsync("/settings/reconnect", new { userId = 1, brandId = 2, token = "good", apiHost = TestData.CxoneHostA, channelId = "chat-45" });

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
    }

    private static async Task<JsonElement> ChangeAsync(HttpClient browser, bool withAntiforgery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TestChangeEndpoint.Path);
        if (withAntiforgery)
        {
            var token = await browser.GetFromJsonAsync<JsonElement>("/admin/api/antiforgery");
            request.Headers.Add(token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString());
        }

        using var response = await browser.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await JsonOf(response);
    }

    private sealed class RecordingActions : IPointOfContactActions
    {
        public ConcurrentQueue<(string Action, string ChannelId, AdminUser User)> Calls { get; } = new();

        public Task<PointOfContactActionResult> CheckAsync(string channelId, AdminUser user, CancellationToken cancellationToken)
        {
            Calls.Enqueue(("check", channelId, user));
            return Task.FromResult(new PointOfContactActionResult(200, "The platform account's credentials work."));
        }

        public Task<PointOfContactActionResult> DeleteAsync(string channelId, AdminUser user, CancellationToken cancellationToken)
        {
            Calls.Enqueue(("delete", channelId, user));
            return Task.FromResult(new PointOfContactActionResult(200, "Deleted, and its CXone channel."));
        }
    }
}
