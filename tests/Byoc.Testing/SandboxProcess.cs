using System.Net.Http.Json;
using System.Text.Json;

namespace Byoc.Testing;

/// <summary>Byoc.Sandbox (the CXone and Junglebook simulators) as a real process, with helpers for its admin APIs.</summary>
public sealed class SandboxProcess : IAsyncDisposable
{
    private readonly ServiceProcess _process;

    private SandboxProcess(ServiceProcess process, Uri url)
    {
        _process = process;
        Url = url;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri Url { get; }

    public HttpClient Http { get; }

    /// <param name="settings">Extra configuration, e.g. <c>Sandbox:Junglebook:WebhookBaseUrl</c>.</param>
    public static async Task<SandboxProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var url = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort()}");
        var environment = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["ASPNETCORE_URLS"] = url.ToString(),
            // A second tenant access key, so tests can count one integration's auth calls alone.
            ["Sandbox:Cxone:AccessKeys:globex-key"] = "globex-secret",
        };
        var process = await ServiceProcess.StartSandboxAsync(environment, new Uri(url, "/health"));
        return new SandboxProcess(process, url);
    }

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

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }
}
