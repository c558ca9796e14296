using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Byoc.Edge.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Byoc.Edge.Tests.Admin;

/// <summary>
/// Every change of the admin API made with the session cookie needs the anti-forgery header. The endpoints come from
/// the Edge's own <see cref="EndpointDataSource"/>, so one added later is covered without touching this test.
/// </summary>
public sealed class AntiforgeryCoverageTests(EdgeHost host) : EdgeTest(host)
{
    private const string Link = $"/settings?userId=1&brandId=2&token=good&apiHost={TestData.CxoneHostA}&backUrl=https%3A%2F%2Fna1.niceincontact.com%2F";

    // A value for each route parameter the admin API has, of tenant A (the session's), so only the header is wrong.
    private static readonly Dictionary<string, string> RouteValues = new(StringComparer.OrdinalIgnoreCase)
    {
        ["channelId"] = TestData.ChannelA,
        ["integrationId"] = TestData.IntegrationA,
        ["id"] = "1700000000000-0",
    };

    private static readonly string[] ChangeMethods = [HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete];

    [Fact]
    public async Task Every_admin_api_change_with_the_session_cookie_but_without_the_antiforgery_header_is_refused_and_reaches_nothing()
    {
        var changes = AdminApiChanges();
        using var browser = await SignedInAsync();
        var audited = await AuditCountAsync(browser);
        Conversations.Reset();

        var answers = new List<string>();
        foreach (var (method, path) in changes)
        {
            using var response = await browser.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("""{"name":"Forged"}""") });
            var body = await response.Content.ReadAsStringAsync();
            var refused = response.StatusCode == HttpStatusCode.BadRequest && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                && JsonDocument.Parse(body).RootElement.TryGetProperty("field", out var field) && field.GetString() == "X-Byoc-Antiforgery";
            if (!refused)
            {
                answers.Add($"{method} {path}: {(int)response.StatusCode} {body}");
            }
        }

        Assert.True(answers.Count == 0, "Taken without the anti-forgery header:\n" + string.Join("\n", answers));
        Assert.Empty(Conversations.Calls);
        Assert.Equal(audited, await AuditCountAsync(browser));
    }

    [Fact]
    public async Task With_the_header_the_same_session_gets_past_the_check_on_every_change_and_a_rename_goes_through()
    {
        var changes = AdminApiChanges();
        using var browser = await SignedInAsync();
        var token = await browser.GetFromJsonAsync<JsonElement>("/admin/api/antiforgery");
        var header = (token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString()!);

        // First a change that goes through (a later delete in the loop removes the point of contact).
        using var rename = new HttpRequestMessage(HttpMethod.Patch, $"/admin/api/points-of-contact/{TestData.ChannelA}") { Content = Json("""{"name":"Renamed with the header"}""") };
        rename.Headers.Add(header.Item1, header.Item2);
        using var renamed = await browser.SendAsync(rename);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Renamed with the header", Conversations.Administration.Find(TestData.ChannelA)!.Name);

        var stopped = new List<string>();
        foreach (var (method, path) in changes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("""{"name":"Renamed with the header"}""") };
            request.Headers.Add(header.Item1, header.Item2);
            using var response = await browser.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (body.Contains("X-Byoc-Antiforgery", StringComparison.Ordinal) || (int)response.StatusCode >= 500)
            {
                stopped.Add($"{method} {path}: {(int)response.StatusCode} {body}");
            }
        }

        Assert.True(stopped.Count == 0, "Refused although the header was sent:\n" + string.Join("\n", stopped));
    }

    /// <summary>Every POST, PUT, PATCH and DELETE endpoint under /admin/api, its route values filled in.</summary>
    private List<(string Method, string Path)> AdminApiChanges()
    {
        var changes = Host.Edge.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("admin/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Intersect(ChangeMethods, StringComparer.OrdinalIgnoreCase)
                .Select(method => (method, Fill(e.RoutePattern))))
            .Distinct()
            .OrderBy(c => c.Item2, StringComparer.Ordinal)
            .ToList();
        // Not vacuous: the changes known today are among them (points of contact, credentials, CXone access, dead letters).
        Assert.True(changes.Count >= 11, $"only {changes.Count} admin changes found: {string.Join(", ", changes)}");
        Assert.Contains((HttpMethods.Patch, $"/admin/api/points-of-contact/{TestData.ChannelA}"), changes);
        Assert.Contains((HttpMethods.Put, $"/admin/api/integrations/{TestData.IntegrationA}/cxone-access"), changes);
        Assert.Contains((HttpMethods.Post, "/admin/api/dead-letters/replay"), changes);
        return changes;
    }

    private static string Fill(Microsoft.AspNetCore.Routing.Patterns.RoutePattern pattern) =>
        "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => Uri.EscapeDataString(RouteValues.GetValueOrDefault(parameter.Name, "x")),
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        }))));

    // An Admin session of tenant A, opened as CXone opens it (the Action URL's one-time token).
    private async Task<HttpClient> SignedInAsync()
    {
        var browser = AdminSessions.Browser(Host.Edge);
        using var opened = await browser.GetAsync(Link);
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        return browser;
    }

    private static async Task<int> AuditCountAsync(HttpClient browser) =>
        (await browser.GetFromJsonAsync<JsonElement>("/admin/api/audit?count=1000")).GetArrayLength();
}
