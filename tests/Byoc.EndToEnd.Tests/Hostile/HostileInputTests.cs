using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsCheck;
using Xunit.Abstractions;

namespace Byoc.EndToEnd.Tests.Hostile;

/// <summary>
/// Generated hostile requests against every public endpoint of the running app (real processes, real redis-server):
/// each must be answered 4xx with a problem-details (or OAuth) body, in bounded time, and change nothing: no message
/// carrying the run's marker reaches CXone or the platform, and the app stays healthy. On the load-smoke app, so the
/// thousands of warnings they cause stay out of the dashboard the other end-to-end tests read.
/// </summary>
[Collection(LoadSmokeCollection.Name)]
public sealed class HostileInputTests(LoadSmokeApp app, ITestOutputHelper output)
{
    private const string ClientId = "byoc-demo-client";
    private const string ClientSecret = "byoc-demo-secret-change-me";
    private const string WebhookSecret = "jb-webhook-secret-monkey-kingdom";
    private static readonly string ReplyShape = """{"thread":{"idOnExternalPlatform":"MARKER"},"messageContent":{"type":"TEXT","payload":{"text":"MARKER"}}}""".Replace("MARKER", HostileInput.Marker, StringComparison.Ordinal);
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(15);
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<int, int>> CountsByEndpoint = new();

    [Fact]
    public async Task Broken_token_requests_are_answered_with_OAuth_errors_and_never_a_token()
    {
        var form = Gen.Select(Gen.OneOf(Gen.Const("client_credentials"), Gen.Const("password"), Gen.Const(""), Gen.String[Gen.Char.AlphaNumeric, 1, 30]),
                HostileInput.PathId, Gen.String[Gen.Char, 0, 80])
            .Select((grant, client, secret) => new HostileCase("token", grant == "client_credentials" ? "unknown client" : "wrong grant", HttpMethod.Post, "/1.0/token",
                HostileInput.Utf8($"grant_type={Uri.EscapeDataString(grant)}&client_id={client}&client_secret={Uri.EscapeDataString(secret)}"), "application/x-www-form-urlencoded", []));
        var json = HostileInput.BrokenJson("""{"grant_type":"client_credentials","client_id":"x","client_secret":"y"}""")
            .Select(b => new HostileCase("token", b.Kind, HttpMethod.Post, "/1.0/token", b.Body, "application/json", []));
        var basic = Gen.OneOf(Gen.Const("Basic !!!not-base64"), Gen.Const("Basic " + Convert.ToBase64String(HostileInput.Utf8("no-colon"))),
                Gen.Const("Basic " + Convert.ToBase64String([0xFF, 0xFE, 0x3A, 0xC3])), Gen.String[Gen.Char.AlphaNumeric, 1, 30].Select(s => "Basic " + Convert.ToBase64String(HostileInput.Utf8($"{s}:{s}"))))
            .Select(header => new HostileCase("token", "malformed Basic", HttpMethod.Post, "/1.0/token", HostileInput.Utf8("grant_type=client_credentials"), "application/x-www-form-urlencoded", [("Authorization", header)]));
        var contentType = HostileInput.WrongContentType
            .Select(type => new HostileCase("token", "wrong content type", HttpMethod.Post, "/1.0/token", HostileInput.Utf8("grant_type=client_credentials"), type, []));
        var duplicated = Gen.Const(new HostileCase("token", "duplicate parameters", HttpMethod.Post, "/1.0/token",
            HostileInput.Utf8($"grant_type=client_credentials&grant_type=password&client_id={ClientId}&client_id=other&client_secret=x"), "application/x-www-form-urlencoded", []));

        await RunAsync(Gen.OneOf(form, json, basic, contentType, duplicated), 130);
    }

    [Fact]
    public async Task Broken_callbacks_with_a_valid_token_are_refused_and_nothing_is_sent()
    {
        var token = await TokenAsync();
        var bearer = ("Authorization", $"Bearer {token}");
        var outbound = Gen.Select(HostileInput.BrokenJson(ReplyShape),
                Gen.OneOf(Gen.Const(ByocApp.MonkeyKingdom), HostileInput.PathId))
            .Select((b, channel) => new HostileCase("outbound", b.Kind, HttpMethod.Post, $"/2.0/channel/{channel}/outbound", b.Body, "application/json", [bearer]));
        var legacy = Gen.Select(HostileInput.BrokenJson($$$"""{"post":{"idOnExternalPlatform":"{{{HostileInput.Marker}}}"},"content":"{{{HostileInput.Marker}}}"}"""), HostileInput.PathId)
            .Select((b, post) => new HostileCase("legacy reply", b.Kind, HttpMethod.Post, $"/1.0/posts/{post}/messages", b.Body, "application/json", [bearer]));
        var validation = Gen.Select(HostileInput.BrokenJson($$$"""{"endUserRecipients":[{"idOnExternalPlatform":"{{{HostileInput.Marker}}}","name":"x"}]}"""),
                Gen.OneOf(Gen.Const(ByocApp.MonkeyKingdom), HostileInput.PathId))
            .Select((b, channel) => new HostileCase("recipients validation", b.Kind, HttpMethod.Post, $"/1.0/channel/{channel}/recipients/validation", b.Body, "application/json", [bearer]));
        var wrongType = Gen.Select(HostileInput.WrongContentType, Gen.OneOf(
                Gen.Const($"/2.0/channel/{ByocApp.MonkeyKingdom}/outbound"), Gen.Const($"/1.0/channel/{ByocApp.MonkeyKingdom}/recipients/validation"), Gen.Const("/1.0/posts/x/messages")))
            .Select((type, path) => new HostileCase("callback content type", "wrong content type", HttpMethod.Post, path,
                HostileInput.Utf8($$$"""{"thread":{"idOnExternalPlatform":"{{{HostileInput.Marker}}}"}}"""), type, [bearer]));

        await RunAsync(Gen.OneOf(outbound, legacy, validation, wrongType), 160);
    }

    [Fact]
    public async Task Callbacks_with_a_forged_tampered_or_foreign_token_answer_401_and_nothing_is_sent()
    {
        var token = await TokenAsync();
        var paths = Gen.OneOf(
            Gen.Const($"/2.0/channel/{ByocApp.MonkeyKingdom}/outbound"), Gen.Const($"/1.0/channel/{ByocApp.MonkeyKingdom}/recipients/validation"),
            Gen.Const("/1.0/posts/x/messages"), Gen.Const($"/1.0/channel/{ByocApp.MonkeyKingdom}/thread/t/sender-action"));
        var body = HostileInput.Utf8(ReplyShape);
        var forged = Gen.Select(HostileInput.ForgedAuthorization(token), paths)
            .Select((auth, path) => new HostileCase("callback token", auth.Kind, HttpMethod.Post, path, body, "application/json", [("Authorization", auth.Header)]));
        var none = paths.Select(path => new HostileCase("callback token", "no token", HttpMethod.Post, path, body, "application/json", []));

        await RunAsync(Gen.OneOf(forged, none), 100);
    }

    [Fact]
    public async Task Webhooks_that_are_forged_replayed_or_malformed_are_refused_and_nothing_reaches_CXone()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var genuine = $$$"""{"type":"message","profile":"monkey-kingdom","message":{"id":"{{{HostileInput.Marker}}}-1","threadId":"{{{HostileInput.Marker}}}","public":false,"author":{"id":"shere-khan","name":"Shere Khan"},"text":"{{{HostileInput.Marker}}}","createdAt":"2025-07-25T20:05:57.123+00:00"}}""";
        // Signed correctly, so only the body's fault is tested: Junglebook itself would never send these.
        var signedBroken = HostileInput.BrokenJson("""{"type":"message","message":{"id":"m","threadId":"t","author":{"id":"a"},"text":"x"}}""")
            .Select(b => Signed("signed malformed body", b.Body, now));
        var forgeries = Gen.OneOf(
            Gen.Const(Signed("stale timestamp (replay)", HostileInput.Utf8(genuine), now - 3600)),
            Gen.Const(Signed("future timestamp", HostileInput.Utf8(genuine), now + 3600)),
            Gen.Int[0, genuine.Length - 1].Select(i => Tampered(genuine, i, now)),
            Gen.String[Gen.Char.AlphaNumeric, 1, 64].Select(s => WithSignature("random signature", genuine, now.ToString(CultureInfo.InvariantCulture), $"sha256={s}")),
            Gen.Const(WithSignature("no signature", genuine, null, null)),
            Gen.Const(WithSignature("timestamp not a number", genuine, "yesterday", "sha256=00")),
            Gen.Const(Signed("signed with another secret", HostileInput.Utf8(genuine), now, "not-the-secret")));
        var unknown = Gen.Select(HostileInput.PathId, Gen.OneOf(Gen.Const("junglebook"), HostileInput.PathId))
            .Select((account, connector) => new HostileCase("webhook", "unknown connector or account", HttpMethod.Post, $"/hooks/{connector}/{account}", HostileInput.Utf8(genuine), "application/json", []));

        await RunAsync(Gen.OneOf(signedBroken, forgeries, unknown), 120);
    }

    [Fact]
    public async Task Broken_settings_links_show_a_clear_answer_without_injecting_headers()
    {
        var query = Gen.Select(Gen.OneOf(Gen.Const(""), Gen.Const("1"), Gen.Const("-1"), Gen.Const("99999999999999999999"), Gen.Const("abc")),
                Gen.OneOf(Gen.Const(""), Gen.Const("x"), HostileInput.PathId),
                Gen.OneOf(Gen.Const("https://eu1.niceincontact.com/%0D%0ASet-Cookie:%20stolen=1"), Gen.Const("javascript:alert(1)"), Gen.Const("//evil.example/"),
                    Gen.Const("https://evil.example/"), Gen.Const("https://eu1.niceincontact.com.evil.example/"), Gen.Const("")),
                Gen.OneOf(Gen.Const(""), Gen.Const("evil.example"), Gen.Const("https://x/?a=b"), Gen.Const("%0D%0AHost:%20x")))
            .Select((id, token, back, host) => new HostileCase("settings", "broken link", HttpMethod.Get,
                $"/settings?userId={id}&brandId={id}&token={token}&backUrl={back}&apiHost={host}", null, null, []));

        await RunAsync(query, 60, allowRedirectToCxone: true);
    }

    [Theory]
    [InlineData("/hooks/junglebook/%00")]
    [InlineData("/2.0/channel/%00/outbound")]
    [InlineData("/1.0/posts/a%00b/messages")]
    public async Task A_NUL_in_the_path_is_refused_before_any_endpoint_runs(string path)
    {
        // Kestrel refuses the request line itself (400, no body: no endpoint, so no problem details).
        using var http = new HttpClient { BaseAddress = app.App.Edge, Timeout = NoHang };

        using var response = await http.PostAsync(path, new ByteArrayContent(HostileInput.Utf8(ReplyShape)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task Form_values_that_cannot_be_decoded_are_answered_400_with_an_OAuth_error()
    {
        using var http = new HttpClient { BaseAddress = app.App.Edge, Timeout = NoHang };

        using var response = await http.PostAsync("/1.0/token", new StringContent($"grant_type=client_credentials&client_id=%00&client_secret={ClientSecret}", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_settings_link_whose_numbers_are_not_numbers_names_the_field_in_a_400()
    {
        using var http = new HttpClient { BaseAddress = app.App.Edge, Timeout = NoHang };

        using var response = await http.GetAsync("/settings?userId=abc&brandId=1&token=t");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("userId", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    private async Task RunAsync(Gen<HostileCase> cases, int count, bool allowRedirectToCxone = false)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = app.App.Edge, Timeout = NoHang };
        var seen = 0;
        await cases.SampleAsync(async c =>
        {
            Interlocked.Increment(ref seen);
            using var response = await SendAsync(http, c);
            var status = (int)response.StatusCode;
            CountsByEndpoint.GetOrAdd(c.Endpoint, _ => new()).AddOrUpdate(status, 1, (_, n) => n + 1);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("at Byoc.", body, StringComparison.Ordinal);
            Assert.DoesNotContain(ClientSecret, body, StringComparison.Ordinal);
            if (allowRedirectToCxone && response.StatusCode == HttpStatusCode.Redirect)
            {
                // Only ever back to CXone, and no header smuggled in through the link.
                Assert.EndsWith(".niceincontact.com", response.Headers.Location!.Host, StringComparison.Ordinal);
                Assert.False(response.Headers.Contains("Set-Cookie"), "no cookie from a link");
                return;
            }

            Assert.True(status is >= 400 and < 500, $"{c}: answered {status} {Trim(body)}");
            Assert.True(IsExplained(response, body), $"{c}: answered {status} without a problem-details or OAuth body: {Trim(body)}");
        }, iter: count, threads: 2, print: c => c.ToString());

        Assert.Equal(count, seen);
        await AssertNothingChangedAsync();
        foreach (var (endpoint, counts) in CountsByEndpoint.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{endpoint}: {string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} × {c.Value}"))}");
        }
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

    // RFC 7807 (status/title), RFC 6749 (error), or a bearer challenge naming the error in WWW-Authenticate (RFC 6750).
    private static bool IsExplained(HttpResponseMessage response, string body)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized && response.Headers.WwwAuthenticate.Count > 0)
        {
            return true;
        }

        var type = response.Content.Headers.ContentType?.MediaType;
        if (type is "text/html")
        {
            return body.Contains("<h1>", StringComparison.Ordinal);
        }

        if (type is not ("application/problem+json" or "application/json"))
        {
            return false;
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.ValueKind == JsonValueKind.Object
            && (json.RootElement.TryGetProperty("title", out _) || json.RootElement.TryGetProperty("error", out _) || json.RootElement.TryGetProperty("errorCode", out _));
    }

    private async Task AssertNothingChangedAsync()
    {
        foreach (var channel in new[] { ByocApp.MonkeyKingdom, ByocApp.ManVillage })
        {
            var stored = (await app.Sandbox.MessagesAsync(channel)).GetRawText();
            Assert.DoesNotContain(HostileInput.Marker, stored, StringComparison.Ordinal);
        }

        foreach (var profile in new[] { "monkey-kingdom", "man-village" })
        {
            var threads = await app.Sandbox.Http.GetStringAsync($"/junglebook/customer/profiles/{profile}/threads");
            Assert.DoesNotContain(HostileInput.Marker, threads, StringComparison.Ordinal);
        }

        using var http = new HttpClient { BaseAddress = app.App.Edge, Timeout = NoHang };
        using var health = await http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private async Task<string> TokenAsync()
    {
        using var http = new HttpClient { BaseAddress = app.App.Edge, Timeout = NoHang };
        using var response = await http.PostAsJsonAsync("/1.0/token", new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = ClientId, ["client_secret"] = ClientSecret });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private static HostileCase Signed(string kind, byte[] body, long timestamp, string secret = WebhookSecret) =>
        new("webhook", kind, HttpMethod.Post, "/hooks/junglebook/monkey-kingdom", body, "application/json",
            [("X-Junglebook-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture)), ("X-Junglebook-Signature", $"sha256={Sign(secret, timestamp, body)}")]);

    private static HostileCase Tampered(string genuine, int at, long timestamp)
    {
        var signature = Sign(WebhookSecret, timestamp, HostileInput.Utf8(genuine));
        var changed = genuine[..at] + (genuine[at] == 'x' ? 'y' : 'x') + genuine[(at + 1)..];
        return WithSignature("tampered body", changed, timestamp.ToString(CultureInfo.InvariantCulture), $"sha256={signature}");
    }

    private static HostileCase WithSignature(string kind, string body, string? timestamp, string? signature) =>
        new("webhook", kind, HttpMethod.Post, "/hooks/junglebook/monkey-kingdom", HostileInput.Utf8(body), "application/json",
            [.. new[] { ("X-Junglebook-Timestamp", timestamp), ("X-Junglebook-Signature", signature) }.Where(h => h.Item2 is not null).Select(h => (h.Item1, h.Item2!))]);

    // Written from the scheme's definition ("{timestamp}.{body}", HMAC-SHA256, hex), independently of the SDK.
    private static string Sign(string secret, long timestamp, byte[] body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), (byte[])[.. Encoding.UTF8.GetBytes($"{timestamp}."), .. body]));

    private static string Trim(string body) => body.Length > 300 ? body[..300] + "…" : body;
}
