using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Byoc.Bench;
using Byoc.Testing;

namespace Byoc.EndToEnd.Tests.Hostile;

/// <summary>
/// Two integrations of two tenants on the running app: the demo's (bare-necessities, with the Junglebook points of
/// contact) and the security tests' own, with credentials generated through the admin API. A token of the second
/// never reaches the first's points of contact: each callback answers as for a channel that does not exist, and
/// nothing arrives at Junglebook or the CXone simulator.
/// </summary>
[Collection(LoadSmokeCollection.Name)]
public sealed class CrossIntegrationTests(LoadSmokeApp app)
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_token_of_one_integration_on_another_integrations_channel_callbacks_is_refused_like_an_unknown_channel_and_nothing_is_sent()
    {
        using var http = new HttpClient { BaseAddress = app.App.Edge, Timeout = NoHang };
        var tag = $"cross-{Guid.NewGuid():N}";
        var monkeyKingdom = Profile.Sandbox.Single(p => p.ChannelId == ByocApp.MonkeyKingdom);
        var thread = Assert.Single(await OutboundLoad.OpenThreadsAsync(app.Sandbox, tag, [monkeyKingdom], perProfile: 1, TimeSpan.FromSeconds(60), CancellationToken.None));
        var (clientId, secret) = await GenerateCredentialsAsync(http, LoadSmokeApp.OtherIntegrationId);
        var foreign = await TokenAsync(http, clientId, secret);
        var own = await EdgeTokens.FetchAsync(http, app.App.Edge, CancellationToken.None);
        var text = $"{tag} from the other integration";
        var reply = $$$"""{"thread":{"idOnExternalPlatform":"{{{thread.CxoneThreadId}}}"},"messageContent":{"type":"TEXT","payload":{"text":"{{{text}}}"}},"endUserRecipients":[],"attachments":[]}""";
        var legacy = $$$"""{"messageContent":{"text":"{{{text}}}"}}""";
        var validation = $$$"""{"endUserRecipients":[{"idOnExternalPlatform":"{{{thread.JunglebookThreadId}}}","name":"Mowgli"}]}""";
        var typing = """{"senderAction":{"action":"isTypingOn"}}""";
        (string Name, string Foreign, string Unknown, string Body)[] callbacks =
        [
            ("outbound message", $"/2.0/channel/{ByocApp.MonkeyKingdom}/outbound", "/2.0/channel/no-such-channel/outbound", reply),
            ("recipient validation", $"/1.0/channel/{ByocApp.MonkeyKingdom}/recipients/validation", "/1.0/channel/no-such-channel/recipients/validation", validation),
            ("sender action", $"/1.0/channel/{ByocApp.MonkeyKingdom}/thread/{thread.CxoneThreadId}/sender-action", "/1.0/channel/no-such-channel/thread/t/sender-action", typing),
            ("legacy reply", $"/1.0/posts/{thread.CxoneThreadId}/messages", $"/1.0/posts/{tag}-no-such-post/messages", legacy),
        ];

        var answers = new List<string>();
        foreach (var (name, foreignPath, unknownPath, body) in callbacks)
        {
            var (foreignStatus, foreignProblem) = await PostAsync(http, foreignPath, body, foreign);
            var (unknownStatus, unknownProblem) = await PostAsync(http, unknownPath, body, foreign);
            answers.Add($"{name}: {foreignStatus} (unknown channel: {unknownStatus})");
            // A sender action never answers an error (CXone is not told; the Edge logs it): 204 for an unknown channel too.
            Assert.True(name == "sender action" ? foreignStatus == 204 : foreignStatus is 403 or 404, $"{name} with the other integration's token answered {foreignStatus}: {foreignProblem}");
            // Nothing in the answer tells a foreign channel from one that does not exist.
            Assert.Equal((unknownStatus, unknownProblem), (foreignStatus, foreignProblem));
        }

        // The control: the channel's own integration reaches the customer on the same thread.
        var control = $"{tag} from its own integration";
        var (ownStatus, ownBody) = await PostAsync(http, $"/2.0/channel/{ByocApp.MonkeyKingdom}/outbound", reply.Replace(text, control, StringComparison.Ordinal), own);
        Assert.True(ownStatus == 200, $"the own integration's reply answered {ownStatus}: {ownBody}");
        await Poll.UntilAsync(async () => (await JunglebookThreadAsync(thread.JunglebookThreadId)).Contains(control, StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the own integration's reply reached the customer");

        var junglebook = await JunglebookThreadAsync(thread.JunglebookThreadId);
        var cxone = (await app.Sandbox.MessagesAsync(ByocApp.MonkeyKingdom)).GetRawText();
        Assert.DoesNotContain(text, junglebook, StringComparison.Ordinal);
        Assert.DoesNotContain(text, cxone, StringComparison.Ordinal);
        Assert.True(answers.Count == callbacks.Length, string.Join("; ", answers));
    }

    private async Task<string> JunglebookThreadAsync(string threadId) =>
        await app.Sandbox.Http.GetStringAsync($"/junglebook/customer/threads/{threadId}");

    private static async Task<(int Status, string Problem)> PostAsync(HttpClient http, string path, string body, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, WithoutTraceId(text));
    }

    // The problem's traceId differs per request; everything else must be the same for a foreign and an unknown channel.
    private static string WithoutTraceId(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind != JsonValueKind.Object ? body
                : string.Join("|", json.RootElement.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}"));
        }
        catch (JsonException)
        {
            return body;
        }
    }

    /// <summary>New credentials for an integration through the admin API (as an admin types them into CXone's BYOC form).</summary>
    public static async Task<(string ClientId, string ClientSecret)> GenerateCredentialsAsync(HttpClient http, string integrationId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/api/integrations/{integrationId}/credentials") { Content = JsonContent.Create(new { newClientId = true }) };
        request.Headers.Add("X-Api-Key", LoadSmokeApp.AdminApiKey);
        using var response = await http.SendAsync(request);
        var issued = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"generating credentials answered {(int)response.StatusCode}: {issued}");
        return (issued.GetProperty("clientId").GetString()!, issued.GetProperty("clientSecret").GetString()!);
    }

    public static async Task<string> TokenAsync(HttpClient http, string clientId, string secret)
    {
        using var response = await http.PostAsync("/1.0/token", new FormUrlEncodedContent(
            [new("grant_type", "client_credentials"), new("client_id", clientId), new("client_secret", secret)]));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"the token request answered {(int)response.StatusCode}: {body}");
        return body.GetProperty("access_token").GetString()!;
    }
}
