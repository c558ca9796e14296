using System.Net.Http.Json;
using System.Text.Json;

namespace Byoc.Testing;

/// <summary>The sandbox's admin APIs: what its CXone stored, its counters and faults, its Junglebook customers.</summary>
public class SandboxClient
{
    public SandboxClient(Uri url)
    {
        Url = url;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Url { get; }

    public HttpClient Http { get; }

    public async Task<JsonElement> MessagesAsync(string channelId) =>
        await Http.GetFromJsonAsync<JsonElement>($"/sandbox/cxone/channels/{channelId}/messages");

    public async Task<IReadOnlyList<JsonElement>> MessagesInThreadAsync(string channelId, string cxoneThreadId) =>
        [.. (await MessagesAsync(channelId)).GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("thread").GetProperty("idOnExternalPlatform").GetString() == cxoneThreadId)];

    public async Task<IReadOnlyList<JsonElement>> StatusesAsync(string channelId) =>
        [.. (await Http.GetFromJsonAsync<JsonElement>($"/sandbox/cxone/channels/{channelId}/statuses")).EnumerateArray()];

    public async Task<IReadOnlyList<JsonElement>> SenderActionsAsync(string channelId) =>
        [.. (await Http.GetFromJsonAsync<JsonElement>($"/sandbox/cxone/channels/{channelId}/sender-actions")).EnumerateArray()];

    public async Task<IReadOnlyList<string>> ChannelIdsAsync() =>
        [.. (await Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/channels")).EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];

    public async Task<int> TokensIssuedAsync(string accessKey) =>
        (await Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/stats")).GetProperty("tokensIssuedByAccessKey").TryGetProperty(accessKey, out var n) ? n.GetInt32() : 0;

    public async Task AddFaultAsync(string kind, int count, string? pathContains = null, int statusCode = 500, int? retryAfterSeconds = null, int delayMilliseconds = 0)
    {
        var response = await Http.PostAsJsonAsync("/sandbox/cxone/faults", new { kind, count, pathContains, statusCode, retryAfterSeconds, delayMilliseconds });
        response.EnsureSuccessStatusCode();
    }

    public async Task ExpireTokensAsync() => (await Http.PostAsync("/sandbox/cxone/tokens/expire", null)).EnsureSuccessStatusCode();
}
