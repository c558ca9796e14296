using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Byoc.Bench;

/// <summary>
/// The simulators alone, at the same load, so that the report can say whether they bound a figure: messages posted
/// straight to the CXone simulator's Digital API, and replies posted straight to Junglebook's API.
/// </summary>
public static class SimulatorLoad
{
    public static async Task<LoadResult> CxoneMessagesAsync(HttpClient http, Uri sandbox, string tag, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var token = await CxoneTokenAsync(http, sandbox, cancellationToken);
        return await ClosedLoop.RunAsync("CXone simulator alone", connections, duration, async (w, n, ct) =>
        {
            var profile = Profile.Sandbox[w % Profile.Sandbox.Count];
            var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
            var body = $$$"""{"idOnExternalPlatform":"{{{tag}}}-{{{w}}}-{{{n}}}","direction":"inbound","createdAtWithMilliseconds":"{{{now}}}","thread":{"idOnExternalPlatform":"{{{tag}}}-t{{{w}}}"},"messageContent":{"type":"TEXT","payload":{"text":"{{{tag}}}-sim {{{w}}} {{{n}}}"}},"authorEndUserIdentity":{"idOnExternalPlatform":"{{{tag}}}-u{{{w}}}","firstName":"Bench"}}""";
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(sandbox, $"dfo/3.0/channels/{profile.ChannelId}/messages"))
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, ct);
            return response.IsSuccessStatusCode ? Outcome.Succeeded : Outcome.Failed;
        }, cancellationToken);
    }

    public static Task<LoadResult> JunglebookRepliesAsync(HttpClient http, Uri sandbox, string tag, IReadOnlyList<ReplyThread> threads, int connections, TimeSpan duration, CancellationToken cancellationToken) =>
        ClosedLoop.RunAsync("Junglebook API alone", connections, duration, async (w, n, ct) =>
        {
            var thread = threads[(int)((w + (n * connections)) % threads.Count)];
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(sandbox, $"junglebook/api/profiles/{thread.Profile.Name}/messages"))
            {
                Content = new StringContent($$$"""{"threadId":"{{{thread.JunglebookThreadId}}}","text":"{{{tag}}}-sim {{{w}}} {{{n}}}","attachments":[]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", thread.Profile.Token);
            using var response = await http.SendAsync(request, ct);
            return response.IsSuccessStatusCode ? Outcome.Succeeded : Outcome.Failed;
        }, cancellationToken);

    private static async Task<string> CxoneTokenAsync(HttpClient http, Uri sandbox, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(sandbox, "auth/token"))
        {
            Content = new FormUrlEncodedContent([new("grant_type", "password"), new("username", "sandbox-access-key"), new("password", "sandbox-access-secret==")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("byoc-sandbox-app:sandbox-app-secret"u8));
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return answer.RootElement.GetProperty("access_token").GetString()!;
    }
}
