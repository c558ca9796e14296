using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Byoc.Sandbox.Tests;

/// <summary>The fault controls the fault suite drives: CXone failing for a window, refusing marked messages for good, Junglebook down.</summary>
public sealed class FaultControlTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task A_fault_window_fails_every_matching_call_until_it_ends_and_counts_what_it_answered()
    {
        await ClearAsync();
        var token = await TokenAsync();
        (await _http.PostAsJsonAsync("/sandbox/cxone/faults", new { kind = "status", forSeconds = 1.5, pathContains = "/channels", statusCode = 429, retryAfterSeconds = 2 })).EnsureSuccessStatusCode();

        var during = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            during.Add(await Send(token, HttpMethod.Get, "/dfo/3.0/channels", null));
        }

        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        HttpStatusCode after;
        do
        {
            after = (await Send(token, HttpMethod.Get, "/dfo/3.0/channels", null)).StatusCode;
        }
        while (after == HttpStatusCode.TooManyRequests && DateTimeOffset.UtcNow < deadline);
        var stats = await _http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/stats");

        Assert.All(during, r => Assert.Equal((HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(2)), (r.StatusCode, r.Headers.RetryAfter?.Delta)));
        Assert.Equal(HttpStatusCode.OK, after);
        Assert.True(stats.GetProperty("faultsApplied").GetProperty("status 429").GetInt32() >= 5);
        Assert.Equal(0, stats.GetProperty("faultsRemaining").GetInt32());
    }

    [Fact]
    public async Task A_delay_window_holds_each_answer_for_its_delay_and_a_cleared_window_stops_at_once()
    {
        await ClearAsync();
        var token = await TokenAsync();
        (await _http.PostAsJsonAsync("/sandbox/cxone/faults", new { kind = "delay", forSeconds = 600, delayMilliseconds = 400 })).EnsureSuccessStatusCode();

        var slow = System.Diagnostics.Stopwatch.StartNew();
        var delayed = await Send(token, HttpMethod.Get, "/dfo/3.0/channels", null);
        slow.Stop();
        await ClearAsync();
        var fast = System.Diagnostics.Stopwatch.StartNew();
        var cleared = await Send(token, HttpMethod.Get, "/dfo/3.0/channels", null);
        fast.Stop();

        Assert.Equal(HttpStatusCode.OK, delayed.StatusCode);
        Assert.True(slow.ElapsedMilliseconds >= 390, $"answered after {slow.ElapsedMilliseconds} ms");
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.True(fast.ElapsedMilliseconds < 390, $"answered after {fast.ElapsedMilliseconds} ms once cleared");
    }

    [Fact]
    public async Task Messages_carrying_the_marker_are_refused_for_good_and_listed_while_the_others_are_stored()
    {
        await ClearAsync();
        var token = await TokenAsync();
        (await Send(token, HttpMethod.Post, "/dfo/3.0/channels", Channel("refusing"))).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/sandbox/cxone/faults", new { kind = "status", forSeconds = 600, pathContains = "/messages", bodyContains = "[refuse]", statusCode = 400 })).EnsureSuccessStatusCode();

        var marked = await Send(token, HttpMethod.Post, "/dfo/3.0/channels/refusing/messages", Message("m-bad", "no [refuse] thanks"));
        var markedAgain = await Send(token, HttpMethod.Post, "/dfo/3.0/channels/refusing/messages", Message("m-bad", "no [refuse] thanks"));
        var plain = await Send(token, HttpMethod.Post, "/dfo/3.0/channels/refusing/messages", Message("m-good", "fine"));
        var refusals = await _http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/faults/refusals");
        var stored = await _http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/channels/refusing/messages");

        Assert.Equal(HttpStatusCode.BadRequest, marked.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, markedAgain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(["m-bad", "m-bad"], refusals.EnumerateArray().Select(r => r.GetProperty("idOnExternalPlatform").GetString()));
        Assert.Equal(["m-good"], stored.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("idOnExternalPlatform").GetString()));
    }

    [Fact]
    public async Task Repeated_posts_of_one_message_are_counted_per_channel_and_the_message_is_stored_once()
    {
        await ClearAsync();
        var token = await TokenAsync();
        (await Send(token, HttpMethod.Post, "/dfo/3.0/channels", Channel("repeats"))).EnsureSuccessStatusCode();

        for (var i = 0; i < 3; i++)
        {
            (await Send(token, HttpMethod.Post, "/dfo/3.0/channels/repeats/messages", Message("m-once", "again"))).EnsureSuccessStatusCode();
        }

        var stats = await _http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/stats");
        Assert.Equal(2, stats.GetProperty("repeatedMessagesByChannel").GetProperty("repeats").GetInt32());
        Assert.Equal(1, stats.GetProperty("messagesByChannel").GetProperty("repeats").GetInt32());
    }

    [Fact]
    public async Task A_fault_without_a_count_or_a_valid_window_is_a_problem_naming_the_field()
    {
        var noCount = await _http.PostAsJsonAsync("/sandbox/cxone/faults", new { kind = "status", count = 0 });
        var badWindow = await _http.PostAsJsonAsync("/sandbox/cxone/faults", new { kind = "status", forSeconds = -1 });
        var badKind = await _http.PostAsJsonAsync("/sandbox/cxone/faults", new { kind = "explode" });

        Assert.Equal("count", await FieldAsync(noCount));
        Assert.Equal("forSeconds", await FieldAsync(badWindow));
        Assert.Equal("kind", await FieldAsync(badKind));
    }

    [Fact]
    public async Task Junglebook_down_answers_its_api_with_503_and_retry_after_for_the_window_and_customers_still_post()
    {
        (await _http.PostAsJsonAsync("/sandbox/junglebook/outage", new { forSeconds = 600 })).EnsureSuccessStatusCode();

        using var me = new HttpRequestMessage(HttpMethod.Get, "/junglebook/api/me") { Headers = { Authorization = new("Bearer", "jb-token-monkey-kingdom") } };
        var down = await _http.SendAsync(me);
        var state = await _http.GetFromJsonAsync<JsonElement>("/sandbox/junglebook/outage");
        var customer = await _http.GetAsync("/junglebook/customer/profiles/monkey-kingdom/threads");
        (await _http.DeleteAsync("/sandbox/junglebook/outage")).EnsureSuccessStatusCode();
        using var meAgain = new HttpRequestMessage(HttpMethod.Get, "/junglebook/api/me") { Headers = { Authorization = new("Bearer", "jb-token-monkey-kingdom") } };
        var up = await _http.SendAsync(meAgain);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(1)), (down.StatusCode, down.Headers.RetryAfter?.Delta));
        Assert.True(state.GetProperty("down").GetBoolean());
        Assert.True(state.GetProperty("refused").GetInt32() >= 1);
        Assert.Equal(HttpStatusCode.OK, customer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
    }

    [Fact]
    public async Task An_outage_with_an_unknown_mode_is_a_problem_naming_the_mode()
    {
        var response = await _http.PostAsJsonAsync("/sandbox/junglebook/outage", new { forSeconds = 5, mode = "flood" });

        Assert.Equal("mode", await FieldAsync(response));
    }

    private async Task ClearAsync() => (await _http.DeleteAsync("/sandbox/cxone/faults")).EnsureSuccessStatusCode();

    private static async Task<string?> FieldAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString();
    }

    private async Task<string> TokenAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "password"), new("username", "sandbox-access-key"), new("password", "sandbox-access-secret==")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("byoc-sandbox-app:sandbox-app-secret")));
        using var response = await _http.SendAsync(request);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private async Task<HttpResponseMessage> Send(string token, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request);
    }

    private static string Channel(string id) =>
        $$"""{"id":"{{id}}","idOnExternalPlatform":"ext-{{id}}","channelIntegrationId":"i1","realExternalPlatformId":"custom","name":"Test","isPrivate":false,"hasTreeStructure":false,"externalPlatformIcon":"forum"}""";

    private static string Message(string id, string text) =>
        $$$"""{"idOnExternalPlatform":"{{{id}}}","direction":"inbound","createdAtWithMilliseconds":"2025-07-25T20:05:57.123+00:00","thread":{"idOnExternalPlatform":"t1"},"messageContent":{"type":"TEXT","payload":{"text":"{{{text}}}"}},"authorEndUserIdentity":{"idOnExternalPlatform":"u1"}}""";
}
