namespace Byoc.Testing;

/// <summary>Byoc.Sandbox (the CXone and Junglebook simulators) as a real process of a test's own.</summary>
public sealed class SandboxProcess : SandboxClient, IAsyncDisposable
{
    private readonly ServiceProcess _process;

    private SandboxProcess(ServiceProcess process, Uri url)
        : base(url) => _process = process;

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

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }
}
