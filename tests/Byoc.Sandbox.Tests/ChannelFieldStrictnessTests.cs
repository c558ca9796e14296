using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Byoc.Sandbox.Tests;

/// <summary>
/// Whether CXone refuses a point of contact with fields outside the published NewChannel is not public: the simulator
/// plays both tenants, lenient by default and strict when configured.
/// </summary>
public sealed class ChannelFieldStrictnessTests
{
    private const string Published = """
        "id":"ID","idOnExternalPlatform":"ext-ID","channelIntegrationId":"i1","realExternalPlatformId":"custom","name":"Test",
        "isPrivate":false,"hasTreeStructure":false,"externalPlatformIcon":"forum","hasOutboundFlow":true,"hasManualOutboundFlow":true,
        "hasAbilityToSendFiles":true,"hasReply":true,"contentFormat":"plain"
        """;

    [Fact]
    public async Task By_default_unpublished_channel_fields_are_accepted()
    {
        await using var sandbox = new WebApplicationFactory<Program>();
        using var http = sandbox.CreateClient();

        using var response = await UpsertAsync(http, WithUnpublished("lenient-1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task When_strict_unpublished_channel_fields_are_refused_naming_each()
    {
        await using var sandbox = Strict();
        using var http = sandbox.CreateClient();

        using var response = await UpsertAsync(http, WithUnpublished("strict-1"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("field").GetString(), e.GetProperty("errorCode").GetString())).ToList();
        Assert.Equal([("isTrackingMessageDeliveryStatus", "UnknownField"), ("canSendSenderActions", "UnknownField")], errors);
    }

    [Fact]
    public async Task When_strict_every_published_field_is_still_accepted()
    {
        await using var sandbox = Strict();
        using var http = sandbox.CreateClient();

        using var response = await UpsertAsync(http, PublishedOnly("strict-2"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static WebApplicationFactory<Program> Strict() =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web => web.UseSetting("Sandbox:Cxone:StrictChannelFields", "true"));

    private static string PublishedOnly(string id) => "{" + Published.Replace("ID", id, StringComparison.Ordinal) + "}";

    private static string WithUnpublished(string id) =>
        "{" + Published.Replace("ID", id, StringComparison.Ordinal) + """, "isTrackingMessageDeliveryStatus":true,"canSendSenderActions":true}""";

    private static async Task<HttpResponseMessage> UpsertAsync(HttpClient http, string channel)
    {
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, "/auth/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "password"), new("username", "sandbox-access-key"), new("password", "sandbox-access-secret==")]),
        };
        tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("byoc-sandbox-app:sandbox-app-secret")));
        using var tokenResponse = await http.SendAsync(tokenRequest);
        var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/dfo/3.0/channels") { Content = new StringContent(channel, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }
}
