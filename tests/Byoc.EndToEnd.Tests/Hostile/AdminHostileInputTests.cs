using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CsCheck;
using Xunit.Abstractions;

namespace Byoc.EndToEnd.Tests.Hostile;

/// <summary>
/// Generated hostile requests against every endpoint of the admin API and the admin pages of the running app (real
/// processes, real redis-server): broken bodies, ids and query values with a valid admin credential, and every change
/// without one, with a wrong key, a Viewer's or another tenant's session, or a session without its anti-forgery
/// header. Each must be answered 4xx (problem details, naming the field where a query value is wrong), in bounded
/// time, never redirect off-site, and change nothing: points of contact, credentials, CXone access, dead letters
/// and the audit log read the same through the admin API before and after.
/// </summary>
[Collection(LoadSmokeCollection.Name)]
public sealed class AdminHostileInputTests(LoadSmokeApp app, ITestOutputHelper output)
{
    private const string Key = LoadSmokeApp.AdminApiKey;
    private const string Demo = ByocApp.IntegrationId;
    private const string Ours = LoadSmokeApp.OtherIntegrationId;
    private const string SandboxTenant = "11ee0000-sand-b0x0-0000-000000000001";
    private static readonly (string, string) ValidKey = AdminCallers.ApiKey(Key);
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<int, int>> CountsByEndpoint = new();

    /// <summary>A generated admin request and what it may be answered: 4xx, or for a page also 200 (a page shows its own "not found").</summary>
    private sealed record AdminCase(HostileCase Request, bool Page = false, string? Field = null, int[]? Only = null)
    {
        public override string ToString() => Request + (Field is null ? "" : $" [field {Field}]");
    }

    /// <summary>Query and path values no admin endpoint takes: separators, wildcards, traversal, control characters, very long.</summary>
    private static readonly Gen<string> BadQueryValue = Gen.OneOf(
        HostileInput.PathId, Gen.Const("%00"), Gen.Const("-1"), Gen.Const("0"), Gen.Const("99999999999999999999"), Gen.Const("1e9"), Gen.Const("abc"),
        Gen.Const("%0D%0ASet-Cookie:%20x=1"), Gen.Const(Uri.EscapeDataString(new string('9', 5000))));

    [Fact]
    public async Task Broken_admin_api_input_with_a_valid_key_is_refused_with_a_problem_and_changes_nothing()
    {
        var pointsOfContact = Gen.OneOf(
            HostileInput.PathId.Select(id => Api("points-of-contact", "unknown or malformed id", HttpMethod.Get, $"/admin/api/points-of-contact/{id}")),
            BadPageSize.Select(size => Api("points-of-contact", "bad pageSize", HttpMethod.Get, $"/admin/api/points-of-contact?pageSize={size}")),
            HostileInput.BrokenJson($$$"""{"integrationId":"{{{Demo}}}","connector":"junglebook","accountId":"{{{HostileInput.Marker}}}","name":"{{{HostileInput.Marker}}}","icon":"forum"}""")
                .Select(b => Api("points-of-contact create", b.Kind, HttpMethod.Post, "/admin/api/points-of-contact", b.Body)),
            InvalidNewPointOfContact.Select(c => Api("points-of-contact create", c.Kind, HttpMethod.Post, "/admin/api/points-of-contact", HostileInput.Utf8(c.Body))),
            HostileInput.BrokenJson($$$"""{"name":"{{{HostileInput.Marker}}}","icon":"forum"}""")
                .Select(b => Api("points-of-contact patch", b.Kind, HttpMethod.Patch, $"/admin/api/points-of-contact/{ByocApp.MonkeyKingdom}", b.Body)),
            Gen.OneOf(Gen.Const($$$"""{"icon":"{{{HostileInput.Marker}}}"}"""), Gen.Const($$$"""{"name":"{{{HostileInput.Marker}}}{{{new string('n', 300)}}}"}"""),
                    Gen.Const("""{"name":""}"""), Gen.Const("""{"name":"   "}"""))
                .Select(body => Api("points-of-contact patch", "invalid change", HttpMethod.Patch, $"/admin/api/points-of-contact/{ByocApp.MonkeyKingdom}", HostileInput.Utf8(body))),
            HostileInput.PathId.Select(id => Api("points-of-contact patch", "unknown or malformed id", HttpMethod.Patch, $"/admin/api/points-of-contact/{id}",
                HostileInput.Utf8($$$"""{"name":"{{{HostileInput.Marker}}}"}"""))),
            HostileInput.PathId.Select(id => Api("points-of-contact delete", "unknown or malformed id", HttpMethod.Delete, $"/admin/api/points-of-contact/{id}")),
            HostileInput.PathId.Select(id => Api("points-of-contact check", "unknown or malformed id", HttpMethod.Post, $"/admin/api/points-of-contact/{id}/check")));

        var credentials = Gen.OneOf(
            Gen.Select(HostileInput.PathId, Gen.OneOf(Gen.Const("credentials"), Gen.Const("client-secret"), Gen.Const("client-secret/revoke-previous"), Gen.Const("credentials/revoke")))
                .Select((id, action) => Api("credentials", "unknown or malformed integration", HttpMethod.Post, $"/admin/api/integrations/{id}/{action}", HostileInput.Utf8("{}"))),
            // The body is the only thing wrong, so each of these must fail to bind: an empty or "{}" body is a valid request here.
            Gen.OneOf(Gen.Const("""{"newClientId":"yes"}"""), Gen.Const("""{"newClientId":[]}"""), Gen.Const("""{"newClientId":"""), Gen.Const("[]"), Gen.Const("42"), Gen.Const("{\"newClientId\":tru"))
                .Select(body => Api("credentials generate", "body of the wrong shape", HttpMethod.Post, $"/admin/api/integrations/{Ours}/credentials", HostileInput.Utf8(body))),
            Gen.OneOf(Gen.Const("""{"previousSecretOverlapMinutes":-5}"""), Gen.Const("""{"previousSecretOverlapMinutes":99999999}"""), Gen.Const("""{"previousSecretOverlapMinutes":"abc"}"""),
                    Gen.Const("""{"previousSecretOverlapMinutes":1.5}"""), Gen.Const("""{"previousSecretOverlapMinutes":[]}"""), Gen.Const("""{"previousSecretOverlapMinutes":1e99}"""))
                .Select(body => Api("credentials rotate", "invalid overlap", HttpMethod.Post, $"/admin/api/integrations/{Ours}/client-secret", HostileInput.Utf8(body))),
            HostileInput.PathId.Select(id => Api("cxone-access", "unknown or malformed integration", HttpMethod.Put, $"/admin/api/integrations/{id}/cxone-access",
                HostileInput.Utf8($$$"""{"accessKeySecret":"{{{HostileInput.Marker}}}"}"""))),
            HostileInput.BrokenJson($$$"""{"appClientId":"{{{HostileInput.Marker}}}","accessKeySecret":"{{{HostileInput.Marker}}}"}""")
                .Select(b => Api("cxone-access", b.Kind, HttpMethod.Put, $"/admin/api/integrations/{Ours}/cxone-access", b.Body)));

        var operations = Gen.OneOf(
            BadPageSize.Select(v => Api("dead letters", "bad pageSize", HttpMethod.Get, $"/admin/api/dead-letters?pageSize={v}", field: "pageSize")),
            BadQueryValue.Select(v => Api("dead letters", "bad order", HttpMethod.Get, $"/admin/api/dead-letters?order={v}", field: "order")),
            BadQueryValue.Select(v => Api("dead letters", "bad cursor", HttpMethod.Get, $"/admin/api/dead-letters?cursor={v}", field: "cursor")),
            HostileInput.PathId.Select(id => Api("dead letters replay", "unknown or malformed id", HttpMethod.Post, $"/admin/api/dead-letters/{id}/replay")),
            // A string where the list goes: the generator's wrong types then replace it (a valid list of unknown ids is answered 200, "not replayed").
            HostileInput.BrokenJson("""{"ids":"1-0"}""").Select(b => Api("dead letters replay", b.Kind, HttpMethod.Post, "/admin/api/dead-letters/replay", b.Body)),
            Gen.OneOf(Gen.Const("""{"ids":["*"]}"""), Gen.Const("""{"ids":[""]}"""), Gen.Const("""{"ids":["byoc:v1:*"]}"""), Gen.Const("""{"ids":[]}"""),
                    Gen.Const("{\"ids\":[" + string.Join(',', Enumerable.Range(1, 600).Select(i => $"\"{i}-0\"")) + "]}"))
                .Select(body => Api("dead letters replay", "invalid ids", HttpMethod.Post, "/admin/api/dead-letters/replay", HostileInput.Utf8(body), field: "ids")),
            Gen.OneOf(Gen.Const(""), Gen.Const("%20%20"), Gen.Const(new string('m', 600))).Select(v => Api("messages", "missing or too long id", HttpMethod.Get, $"/admin/api/messages?id={v}", field: "id")),
            HostileInput.PathId.Select(v => Api("messages", "unknown id", HttpMethod.Get, $"/admin/api/messages?id={v}")),
            Gen.OneOf(Gen.Const("javascript:alert(1)"), Gen.Const("file:///etc/passwd"), Gen.Const("ftp://evil.example/"), Gen.Const("//evil.example"), Gen.Const("http://"),
                    Gen.Const("not a url"), Gen.Const("%00"), Gen.Const("https://" + new string('a', 300) + ":99999/"), Gen.Const("gopher://127.0.0.1:6379/_FLUSHALL"))
                .Select(v => Api("readiness", "not an http(s) URL", HttpMethod.Get, $"/admin/api/readiness?baseUrl={Uri.EscapeDataString(v)}", field: "baseUrl")),
            Gen.OneOf(Gen.Const("abc"), Gen.Const("99999999999999999999"), Gen.Const("1.5")).Select(v => Api("audit", "bad count", HttpMethod.Get, $"/admin/api/audit?count={v}")));

        var wrongContentType = Gen.Select(HostileInput.WrongContentType, Gen.OneOf(
                Gen.Const((HttpMethod.Post, "/admin/api/points-of-contact")), Gen.Const((HttpMethod.Patch, $"/admin/api/points-of-contact/{ByocApp.MonkeyKingdom}")),
                Gen.Const((HttpMethod.Put, $"/admin/api/integrations/{Ours}/cxone-access")), Gen.Const((HttpMethod.Post, "/admin/api/dead-letters/replay"))))
            .Select((type, target) => new AdminCase(new HostileCase("admin content type", "wrong content type", target.Item1, target.Item2,
                HostileInput.Utf8($$$"""{"name":"{{{HostileInput.Marker}}}","accessKeySecret":"{{{HostileInput.Marker}}}","ids":["1-0"]}"""), type, [ValidKey])));

        await RunAsync(Gen.OneOf(pointsOfContact, credentials, operations, wrongContentType), 190);
    }

    [Fact]
    public async Task Admin_calls_without_a_valid_credential_or_with_another_tenants_are_refused_and_change_nothing()
    {
        using var http = AdminCallers.Client(app.App.Edge);
        var viewer = await AdminCallers.SignInAsync(http, "Byoc.Viewer", "");
        var admin = await AdminCallers.SignInAsync(http, "Byoc.Admin", "");
        var stranger = await AdminCallers.SignInAsync(http, "Byoc.Admin", LoadSmokeApp.OtherTenantId);

        // Every endpoint, each with a body it would take: only the credential is wrong.
        var endpoints = Gen.OneOf(Endpoints.Select(Gen.Const).ToArray());
        var changes = Gen.OneOf(Endpoints.Where(e => e.Method != HttpMethod.Get).Select(Gen.Const).ToArray());
        var wrongKey = Gen.OneOf(
            Gen.String[Gen.Char.AlphaNumeric, 1, 80].Where(k => k != Key),
            Gen.Int[0, Key.Length - 1].Select(i => Key[..i] + (Key[i] == 'a' ? 'b' : 'a') + Key[(i + 1)..]),
            Gen.Int[1, Key.Length - 1].Select(n => Key[..n]),
            Gen.Const(Key + "x"), Gen.Const("x" + Key), Gen.Const(Key.ToUpperInvariant()), Gen.Const(Key + "," + Key), Gen.Const(Key.Replace('-', '_')));
        var refused = Gen.OneOf(
            Gen.Select(endpoints, wrongKey).Select((e, key) => Case(e, "wrong API key", [AdminCallers.ApiKey(key)], 401)),
            endpoints.Select(e => Case(e, "no credential", [], 401)),
            Gen.Select(endpoints, Gen.OneOf(Gen.Const($"Bearer {Key}"), Gen.Const("Bearer eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJCeW9jLkFkbWluIl19."), Gen.Const($"Basic {Key}")))
                .Select((e, auth) => Case(e, "admin key or forged token as Authorization", [("Authorization", auth)], 401)),
            Gen.Select(endpoints, Gen.Int[1, 40]).Select((e, n) => Case(e, "tampered session cookie", [("Cookie", admin.Cookie.Value.Replace("__Host-byoc-admin=", $"__Host-byoc-admin={new string('A', n)}", StringComparison.Ordinal))], 401)),
            // Checking a point of contact reads only, so a Viewer may.
            changes.Where(e => !e.Path.EndsWith("/check", StringComparison.Ordinal)).Select(e => Case(e, "Viewer session", [viewer.Cookie, viewer.Antiforgery], 403)),
            changes.Select(e => Case(e, "Admin session without anti-forgery header", [admin.Cookie], 400, "X-Byoc-Antiforgery")),
            changes.Select(e => Case(e, "Admin session with another session's anti-forgery token", [admin.Cookie, viewer.Antiforgery], 400, "X-Byoc-Antiforgery")),
            // Another tenant's Admin sees none of the demo's integration: each of its things is not found (or not theirs).
            Gen.OneOf(Endpoints.Where(e => e.Foreign).Select(Gen.Const).ToArray()).Select(e => Case(e, "another tenant's Admin", [stranger.Cookie, stranger.Antiforgery], 403, null, 404, 400)),
            Gen.Const(Case(new Endpoint(HttpMethod.Get, $"/admin/api/dead-letters?tenantId={SandboxTenant}", null, false), "another tenant's Admin", [stranger.Cookie], 403, "tenantId")));

        await RunAsync(refused, 150);
    }

    [Fact]
    public async Task Admin_pages_with_hostile_route_and_query_values_answer_without_a_server_error_or_an_off_site_redirect()
    {
        using var http = AdminCallers.Client(app.App.Edge);
        var admin = await AdminCallers.SignInAsync(http, "Byoc.Admin", "");
        var html = ("Accept", "text/html");
        var pages = Gen.OneOf(Gen.Const("/admin"), Gen.Const("/admin/audit"), Gen.Const("/admin/connectors"), Gen.Const("/admin/credentials"), Gen.Const("/admin/dead-letters"),
            Gen.Const("/admin/messages"), Gen.Const("/admin/points-of-contact"), Gen.Const("/admin/points-of-contact/new"), Gen.Const("/admin/readiness"), Gen.Const("/admin/denied"));
        var query = Gen.Select(Gen.OneOf(Gen.Const("id"), Gen.Const("pageSize"), Gen.Const("cursor"), Gen.Const("order"), Gen.Const("baseUrl"), Gen.Const("filter"), Gen.Const("returnUrl"), Gen.Const("channelId")), BadQueryValue)
            .Select((name, value) => $"?{name}={value}");
        var signedIn = Gen.OneOf(
            Gen.Select(pages, query).Select((page, q) => new AdminCase(new HostileCase("admin pages", "hostile query", HttpMethod.Get, page + q, null, null, [html, admin.Cookie]), Page: true)),
            HostileInput.PathId.Select(id => new AdminCase(new HostileCase("admin pages", "hostile point-of-contact id", HttpMethod.Get, $"/admin/points-of-contact/{id}", null, null, [html, admin.Cookie]), Page: true)));
        var anonymous = Gen.Select(pages, query).Select((page, q) => new AdminCase(new HostileCase("admin pages", "not signed in", HttpMethod.Get, page + q, null, null, [html]), Page: true));

        await RunAsync(Gen.OneOf(signedIn, anonymous), 70);
    }

    [Fact]
    public async Task The_sign_in_never_redirects_off_site_whatever_the_return_url()
    {
        using var http = AdminCallers.Client(app.App.Edge);
        var (formToken, cookie) = await AdminCallers.SignInFormAsync(http);
        var development = OpenRedirects.Select(url => new AdminCase(new HostileCase("sign-in", "development sign-in returnUrl", HttpMethod.Post, "/admin/sign-in/development",
            HostileInput.Utf8($"Role=Byoc.Viewer&Tenants=&Name=x&ReturnUrl={Uri.EscapeDataString(url)}&__RequestVerificationToken={Uri.EscapeDataString(formToken)}"),
            "application/x-www-form-urlencoded", [cookie]), Page: true, Only: [302]));
        var page = OpenRedirects.Select(url => new AdminCase(new HostileCase("sign-in", "sign-in page returnUrl", HttpMethod.Get, $"/admin/sign-in?returnUrl={Uri.EscapeDataString(url)}",
            null, null, [("Accept", "text/html")]), Page: true, Only: [200, 414]));
        var cxone = OpenRedirects.Select(url => new AdminCase(new HostileCase("sign-in", "CXone sign-in returnUrl", HttpMethod.Get, $"/admin/sign-in/cxone?returnUrl={Uri.EscapeDataString(url)}",
            null, null, [("Accept", "text/html")]), Page: true, Only: [302, 414]));

        await RunAsync(Gen.OneOf(development, page, cxone), 60);
    }

    private static readonly Gen<string> OpenRedirects = Gen.OneOf(
        Gen.Const("//evil.example"), Gen.Const("https://evil.example"), Gen.Const("/\\evil.example"), Gen.Const("\\\\evil.example"), Gen.Const("javascript:alert(1)"),
        Gen.Const("/admin//evil.example"), Gen.Const("/admin/../..//evil.example"), Gen.Const("/admin@evil.example"), Gen.Const("/admin\r\nLocation: https://evil.example"),
        Gen.Const("/admin\tx"), Gen.Const("%2F%2Fevil.example"), Gen.Const("https:evil.example"), Gen.Const("/admin/%0D%0ASet-Cookie:x=1"), Gen.Const("/\t/evil.example"),
        Gen.Const("data:text/html,<script>alert(1)</script>"), Gen.Const("/admin" + new string('a', 9000)));

    private static readonly Gen<string> BadPageSize = Gen.OneOf(Gen.Const("abc"), Gen.Const("0"), Gen.Const("-1"), Gen.Const("100000"), Gen.Const("99999999999999999999"), Gen.Const("1.5"));

    // Each a create that must be refused for one reason; its account carries the marker, so a create that got through is seen.
    private static readonly Gen<(string Kind, string Body)> InvalidNewPointOfContact = Gen.OneOf(
        HostileInput.PathId.Select(id => ("unknown integration", NewPointOfContact(Uri.UnescapeDataString(id), "junglebook", "forum", null))),
        Gen.Const(("icon not CXone's", NewPointOfContact(Demo, "junglebook", HostileInput.Marker, null))),
        Gen.OneOf(Gen.Const("Jungle Book"), Gen.Const("*"), Gen.Const("../x"), Gen.Const("a:b"), Gen.Const("")).Select(c => ("invalid connector", NewPointOfContact(Demo, c, "forum", null))),
        Gen.OneOf(Gen.Const("*"), Gen.Const("a:b"), Gen.Const("../x"), Gen.Const("-x"), Gen.Const(new string('c', 80)), Gen.Const("byoc:v1:*"))
            .Select(c => ("invalid channel id", NewPointOfContact(Demo, "junglebook", "forum", c))),
        Gen.Const(("channel id taken", NewPointOfContact(Demo, "junglebook", "forum", ByocApp.MonkeyKingdom))),
        Gen.Const(("integration id with a trailing space", NewPointOfContact($"{Demo} ", "junglebook", "forum", null))));

    private static string NewPointOfContact(string integration, string connector, string icon, string? channelId) =>
        JsonSerializer.Serialize(new { integrationId = integration, connector, accountId = $"{HostileInput.Marker}-{Guid.NewGuid():N}"[..60], name = HostileInput.Marker, icon, channelId });

    /// <summary>An admin endpoint with a body it would take; <see cref="Foreign"/>: it names a thing of the demo's tenant.</summary>
    private sealed record Endpoint(HttpMethod Method, string Path, string? Body, bool Foreign);

    private static readonly Endpoint[] Endpoints =
    [
        new(HttpMethod.Get, "/admin/api/audit", null, false),
        new(HttpMethod.Get, "/admin/api/icons", null, false),
        new(HttpMethod.Get, "/admin/api/points-of-contact", null, false),
        new(HttpMethod.Get, $"/admin/api/points-of-contact/{ByocApp.MonkeyKingdom}", null, true),
        new(HttpMethod.Post, "/admin/api/points-of-contact", $$$"""{"integrationId":"{{{Demo}}}","connector":"junglebook","accountId":"{{{HostileInput.Marker}}}","name":"{{{HostileInput.Marker}}}","icon":"forum"}""", true),
        new(HttpMethod.Patch, $"/admin/api/points-of-contact/{ByocApp.MonkeyKingdom}", $$$"""{"name":"{{{HostileInput.Marker}}}"}""", true),
        new(HttpMethod.Delete, $"/admin/api/points-of-contact/{ByocApp.ManVillage}", null, true),
        new(HttpMethod.Post, $"/admin/api/points-of-contact/{ByocApp.MonkeyKingdom}/check", null, true),
        new(HttpMethod.Get, "/admin/api/integrations", null, false),
        new(HttpMethod.Get, "/admin/api/channel-refusals", null, false),
        new(HttpMethod.Post, $"/admin/api/integrations/{Demo}/credentials", "{}", true),
        new(HttpMethod.Post, $"/admin/api/integrations/{Demo}/client-secret", """{"previousSecretOverlapMinutes":5}""", true),
        new(HttpMethod.Post, $"/admin/api/integrations/{Demo}/client-secret/revoke-previous", null, true),
        new(HttpMethod.Post, $"/admin/api/integrations/{Demo}/credentials/revoke", null, true),
        new(HttpMethod.Put, $"/admin/api/integrations/{Demo}/cxone-access", $$$"""{"accessKeySecret":"{{{HostileInput.Marker}}}"}""", true),
        new(HttpMethod.Get, "/admin/api/messages?id=x", null, false),
        new(HttpMethod.Get, "/admin/api/dead-letters", null, false),
        new(HttpMethod.Post, "/admin/api/dead-letters/1-0/replay", null, true),
        new(HttpMethod.Post, "/admin/api/dead-letters/replay", """{"ids":["1-0"]}""", false),
        new(HttpMethod.Get, "/admin/api/connectors", null, false),
        new(HttpMethod.Get, "/admin/api/readiness", null, false),
        new(HttpMethod.Get, "/admin/api/antiforgery", null, false),
    ];

    private static AdminCase Api(string endpoint, string kind, HttpMethod method, string path, byte[]? body = null, string? field = null) =>
        new(new HostileCase(endpoint, kind, method, path, body, body is null ? null : "application/json", [ValidKey]), Field: field);

    private static AdminCase Case(Endpoint e, string kind, (string, string)[] headers, int status, string? field = null, params int[] or) =>
        new(new HostileCase($"admin auth: {kind}", kind, e.Method, e.Path, e.Body is null ? null : HostileInput.Utf8(e.Body), e.Body is null ? null : "application/json", headers),
            Field: field, Only: [status, .. or]);

    private async Task RunAsync(Gen<AdminCase> cases, int count)
    {
        using var http = AdminCallers.Client(app.App.Edge);
        await using var logs = await ResourceLogs.WatchAsync(app.App.App, ["edge", "conversations"]);
        var before = await StoredStateAsync(http);
        var seen = 0;
        // Every refusal that is wrong is reported, not only the first: one run shows all there is to fix.
        var wrong = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await cases.SampleAsync(async c =>
        {
            Interlocked.Increment(ref seen);
            try
            {
                await CheckAsync(http, c);
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or JsonException or HttpRequestException or TaskCanceledException)
            {
                wrong.AddOrUpdate(e is TaskCanceledException ? $"{c}: no answer within {AdminCallers.NoHang}" : e.Message, 1, (_, n) => n + 1);
            }
        }, iter: count, threads: 2, print: c => c.ToString());

        foreach (var (endpoint, counts) in CountsByEndpoint.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{endpoint}: {string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} × {c.Value}"))}");
        }

        if (wrong.Keys.Any(w => w.Contains(": answered 5", StringComparison.Ordinal)))
        {
            // What the services logged about it, for a server error is the product's to fix.
            foreach (var (resource, line) in (await logs.LinesAsync()).Where(l => l.Line.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Line.Contains("Exception", StringComparison.Ordinal)).TakeLast(40))
            {
                output.WriteLine($"{resource}: {line}");
            }
        }

        Assert.Equal(count, seen);
        Assert.True(wrong.IsEmpty, $"{wrong.Values.Sum()} of {count} cases were answered wrongly:\n" + string.Join("\n", wrong.Take(40).Select(w => $"({w.Value}×) {w.Key}")));
        var after = await StoredStateAsync(http);
        foreach (var (what, was) in before)
        {
            Assert.True(was == after[what], $"{what} changed:\nbefore {Trim(was)}\nafter  {Trim(after[what])}");
        }

        using var health = await http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private async Task CheckAsync(HttpClient http, AdminCase c)
    {
        using var response = await SendAsync(http, c.Request);
        var status = (int)response.StatusCode;
        CountsByEndpoint.GetOrAdd(c.Request.Endpoint, _ => new()).AddOrUpdate(status, 1, (_, n) => n + 1);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("at Byoc.", body, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, body, StringComparison.Ordinal);
        Assert.True(status < 500, $"{c}: answered {status} {Trim(body)}");
        if (response.Headers.Location is { } location)
        {
            AssertOnSite(c, location);
        }

        if (c.Only is { } only)
        {
            Assert.True(only.Contains(status), $"{c}: answered {status}, expected {string.Join(" or ", only)}: {Trim(body)}");
        }

        if (c.Page)
        {
            return;
        }

        Assert.True(status is >= 400 and < 500, $"{c}: answered {status} {Trim(body)}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{c}: answered {status} without problem details: {Trim(body)}");
        using var problem = JsonDocument.Parse(body);
        Assert.True(problem.RootElement.TryGetProperty("title", out _), $"{c}: a problem without a title: {Trim(body)}");
        if (c.Field is { } field)
        {
            Assert.True(problem.RootElement.TryGetProperty("field", out var named) && named.GetString() == field, $"{c}: the problem does not name {field}: {Trim(body)}");
        }
    }

    // Off-site is any other host, a scheme-relative or backslashed path, or a non-http scheme. The CXone sign-in goes to
    // the sandbox, the CXone the app is configured with, and only there.
    private void AssertOnSite(AdminCase c, Uri location)
    {
        var text = location.OriginalString;
        if (!location.IsAbsoluteUri)
        {
            Assert.True(text.StartsWith('/') && !text.StartsWith("//", StringComparison.Ordinal) && !text.Contains('\\', StringComparison.Ordinal) && !text.StartsWith("/\t", StringComparison.Ordinal),
                $"{c}: redirects to {text}");
            return;
        }

        Assert.True(location.Scheme is "http" or "https", $"{c}: redirects to {text}");
        Assert.True(location.Host == app.App.Edge.Host || location.Authority == app.App.Sandbox.Authority, $"{c}: redirects off-site to {text}");
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HostileCase c)
    {
        using var request = new HttpRequestMessage(c.Method, c.Path);
        if (c.Body is not null)
        {
            request.Content = new ByteArrayContent(c.Body);
            request.Content.Headers.ContentType = c.ContentType is null ? null : MediaTypeHeaderValue.Parse(c.ContentType);
        }

        foreach (var (name, value) in c.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await http.SendAsync(request);
    }

    /// <summary>What an admin change could alter, read through the admin API with the key: compared before and after.</summary>
    private static async Task<Dictionary<string, string>> StoredStateAsync(HttpClient http)
    {
        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (what, path) in new[]
                 {
                     ("points of contact", "/admin/api/points-of-contact?pageSize=200"), ("integrations and their credentials", "/admin/api/integrations"),
                     ("dead letters", "/admin/api/dead-letters?pageSize=500"), ("audit log", "/admin/api/audit?count=1000"),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add(ValidKey.Item1, ValidKey.Item2);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
            state[what] = body;
        }

        return state;
    }

    private static string Trim(string body) => body.Length > 400 ? body[..400] + "…" : body;
}
