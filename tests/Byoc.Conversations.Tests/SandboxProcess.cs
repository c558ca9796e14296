extern alias apphost;

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Byoc.Conversations.Tests;

/// <summary>The CXone simulator of Byoc.Sandbox, as a real process on a real port.</summary>
public sealed class SandboxProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SandboxProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri Url { get; }

    public HttpClient Http { get; }

    public static async Task<SandboxProcess> StartAsync()
    {
        var project = new apphost::Projects.Byoc_Sandbox();
        var port = FreePort();
        var info = new ProcessStartInfo(DotnetHost(), [project.TargetPath])
        {
            WorkingDirectory = Path.GetDirectoryName(project.ProjectPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        // A second tenant access key, so tests can count one integration's auth calls alone.
        info.Environment["Sandbox__Cxone__AccessKeys__globex-key"] = "globex-secret";
        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var sandbox = new SandboxProcess(process, new Uri($"http://127.0.0.1:{port}"));
        await Poll.UntilAsync(async () =>
        {
            try
            {
                return (await sandbox.Http.GetAsync("/health")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return !process.HasExited ? false : throw new InvalidOperationException("The sandbox exited at start-up.");
            }
        }, TimeSpan.FromSeconds(60), "the sandbox answers /health");
        return sandbox;
    }

    public async Task<JsonElement> MessagesAsync(string channelId) =>
        await Http.GetFromJsonAsync<JsonElement>($"/sandbox/cxone/channels/{channelId}/messages");

    public async Task<IReadOnlyList<JsonElement>> MessagesInThreadAsync(string channelId, string cxoneThreadId) =>
        [.. (await MessagesAsync(channelId)).GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("thread").GetProperty("idOnExternalPlatform").GetString() == cxoneThreadId)];

    public async Task<IReadOnlyList<JsonElement>> StatusesAsync(string channelId) =>
        [.. (await Http.GetFromJsonAsync<JsonElement>($"/sandbox/cxone/channels/{channelId}/statuses")).EnumerateArray()];

    public async Task<IReadOnlyList<string>> ChannelIdsAsync() =>
        [.. (await Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/channels")).EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];

    public async Task<int> TokensIssuedAsync(string accessKey) =>
        (await Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/stats")).GetProperty("tokensIssuedByAccessKey").TryGetProperty(accessKey, out var n) ? n.GetInt32() : 0;

    public async Task AddFaultAsync(string kind, int count, string? pathContains = null, int statusCode = 500, int? retryAfterSeconds = null, int delayMilliseconds = 0)
    {
        var response = await Http.PostAsJsonAsync("/sandbox/cxone/faults", new { kind, count, pathContains, statusCode, retryAfterSeconds, delayMilliseconds });
        response.EnsureSuccessStatusCode();
    }

    public async Task ClearFaultsAsync() => (await Http.DeleteAsync("/sandbox/cxone/faults")).EnsureSuccessStatusCode();

    public async Task ExpireTokensAsync() => (await Http.PostAsync("/sandbox/cxone/tokens/expire", null)).EnsureSuccessStatusCode();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    internal static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
