using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Byoc.Sandbox.Tests;

/// <summary>The CXone simulator must be as strict as CXone, or tests against it prove nothing.</summary>
public sealed class CxoneSimulatorTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task The_password_grant_needs_the_apps_basic_credentials_and_a_valid_access_key_which_may_contain_equals_signs()
    {
        var ok = await TokenRequest("byoc-sandbox-app", "sandbox-app-secret", "password", "sandbox-access-key", "sandbox-access-secret==");
        var wrongApp = await TokenRequest("byoc-sandbox-app", "nope", "password", "sandbox-access-key", "sandbox-access-secret==");
        var wrongGrant = await TokenRequest("byoc-sandbox-app", "sandbox-app-secret", "client_credentials", "sandbox-access-key", "sandbox-access-secret==");
        var wrongKey = await TokenRequest("byoc-sandbox-app", "sandbox-app-secret", "password", "sandbox-access-key", "sandbox-access-secret");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var token = await ok.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.Equal(3600, token.GetProperty("expires_in").GetInt32());
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (wrongApp.StatusCode, await Error(wrongApp)));
        Assert.Equal((HttpStatusCode.BadRequest, "unsupported_grant_type"), (wrongGrant.StatusCode, await Error(wrongGrant)));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (wrongKey.StatusCode, await Error(wrongKey)));
    }

    [Fact]
    public async Task The_Digital_API_answers_401_with_WWW_Authenticate_without_a_valid_token()
    {
        var none = await _http.GetAsync("/dfo/3.0/channels");
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/dfo/3.0/channels") { Headers = { Authorization = new("Bearer", "forged") } };
        var wrong = await _http.SendAsync(forged);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task A_point_of_contact_without_its_required_fields_or_with_an_unknown_icon_is_refused_naming_each_field()
    {
        var token = await TokenAsync();

        var missing = await Send(token, HttpMethod.Post, "/dfo/3.0/channels", """{"id":"c1","name":"x"}""");
        var badIcon = await Send(token, HttpMethod.Post, "/dfo/3.0/channels", Channel("c2", icon: "junglebook"));

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var fields = (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.Equal(["idOnExternalPlatform", "channelIntegrationId", "realExternalPlatformId", "isPrivate", "hasTreeStructure"], fields);
        var iconBody = await badIcon.Content.ReadFromJsonAsync<JsonElement>();
        var iconError = iconBody.GetProperty("errors").EnumerateArray().Single();
        Assert.Equal(("externalPlatformIcon", "InvalidEnumValue"), (iconError.GetProperty("field").GetString(), iconError.GetProperty("errorCode").GetString()));
        Assert.True(iconBody.TryGetProperty("uid", out _));
    }

    [Fact]
    public async Task A_message_is_checked_like_CXone_checks_it_and_a_repeated_id_updates_instead_of_duplicating()
    {
        var token = await TokenAsync();
        var channel = $"c-{Guid.NewGuid():N}";
        (await Send(token, HttpMethod.Post, "/dfo/3.0/channels", Channel(channel))).EnsureSuccessStatusCode();

        var bad = await Send(token, HttpMethod.Post, $"/dfo/3.0/channels/{channel}/messages",
            """{"idOnExternalPlatform":"m1","direction":"inbound","createdAtWithMilliseconds":"2025-07-25T20:05:57Z","thread":{},"messageContent":{"type":"FILE","payload":{}}}""");
        var good = Message("m1", "first");
        var first = await Send(token, HttpMethod.Post, $"/dfo/3.0/channels/{channel}/messages", good);
        var again = await Send(token, HttpMethod.Post, $"/dfo/3.0/channels/{channel}/messages", Message("m1", "edited"));
        var unknownChannel = await Send(token, HttpMethod.Post, "/dfo/3.0/channels/nope/messages", good);

        var fields = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.Equal(["createdAtWithMilliseconds", "thread.idOnExternalPlatform", "messageContent.type", "authorEndUserIdentity.idOnExternalPlatform"], fields);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetProperty("id").GetString(),
            (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknownChannel.StatusCode);
        var stored = await _http.GetFromJsonAsync<JsonElement>($"/sandbox/cxone/channels/{channel}/messages");
        Assert.Equal(1, stored.GetProperty("messages").GetArrayLength());
        Assert.Equal(1, stored.GetProperty("updates").GetInt32());
        Assert.Equal("edited", stored.GetProperty("messages")[0].GetProperty("messageContent").GetProperty("payload").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Faults_make_exactly_the_next_matching_calls_fail_and_then_stop()
    {
        var token = await TokenAsync();
        (await _http.PostAsJsonAsync("/sandbox/cxone/faults", new { kind = "status", count = 2, pathContains = "/channels", statusCode = 429, retryAfterSeconds = 3 })).EnsureSuccessStatusCode();

        var first = await Send(token, HttpMethod.Get, "/dfo/3.0/channels", null);
        var second = await Send(token, HttpMethod.Get, "/dfo/3.0/channels", null);
        var third = await Send(token, HttpMethod.Get, "/dfo/3.0/channels", null);

        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), first.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task A_one_time_token_verifies_once_for_its_brand_and_user()
    {
        var issued = await (await _http.PostAsync("/sandbox/cxone/one-time-tokens?userId=7", null)).Content.ReadFromJsonAsync<JsonElement>();
        var token = issued.GetProperty("token").GetString();

        var wrongUser = await _http.PostAsJsonAsync("/dfo/3.0/one-time-token/verification", new { brandId = 4567, userId = 8, token, purpose = "channel-integration" });
        var issuedAgain = await (await _http.PostAsync("/sandbox/cxone/one-time-tokens?userId=7", null)).Content.ReadFromJsonAsync<JsonElement>();
        var right = await _http.PostAsJsonAsync("/dfo/3.0/one-time-token/verification", new { brandId = 4567, userId = 7, token = issuedAgain.GetProperty("token").GetString(), purpose = "channel-integration" });
        var replayed = await _http.PostAsJsonAsync("/dfo/3.0/one-time-token/verification", new { brandId = 4567, userId = 7, token = issuedAgain.GetProperty("token").GetString(), purpose = "channel-integration" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrongUser.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        var body = await right.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("11ee0000-sand-b0x0-0000-000000000001", body.GetProperty("brand").GetProperty("tenantId").GetString());
        Assert.Equal(7, body.GetProperty("user").GetProperty("id").GetInt32());
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
    }

    private Task<HttpResponseMessage> TokenRequest(string app, string appSecret, string grant, string key, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/auth/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", grant), new("username", key), new("password", secret)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{app}:{appSecret}")));
        return _http.SendAsync(request);
    }

    private async Task<string> TokenAsync() =>
        (await (await TokenRequest("byoc-sandbox-app", "sandbox-app-secret", "password", "sandbox-access-key", "sandbox-access-secret==")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;

    private async Task<HttpResponseMessage> Send(string token, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request);
    }

    private static async Task<string?> Error(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();

    private static string Channel(string id, string icon = "forum") =>
        $$"""{"id":"{{id}}","idOnExternalPlatform":"ext-{{id}}","channelIntegrationId":"i1","realExternalPlatformId":"custom","name":"Test","isPrivate":false,"hasTreeStructure":false,"externalPlatformIcon":"{{icon}}"}""";

    private static string Message(string id, string text) =>
        $$$"""{"idOnExternalPlatform":"{{{id}}}","direction":"inbound","createdAtWithMilliseconds":"2025-07-25T20:05:57.123+00:00","thread":{"idOnExternalPlatform":"t1"},"messageContent":{"type":"TEXT","payload":{"text":"{{{text}}}"}},"authorEndUserIdentity":{"idOnExternalPlatform":"u1"}}""";
}
