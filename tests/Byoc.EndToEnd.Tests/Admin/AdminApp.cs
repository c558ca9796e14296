using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Testing;

namespace Byoc.EndToEnd.Tests.Admin;

/// <summary>
/// The whole app (as <see cref="ByocApp"/>: real processes under Aspire, the sandbox as CXone) for the admin UI's
/// browser tests, started once for the "Admin app" collection, apart from the other end-to-end tests so that what an
/// admin changes (points of contact, secrets) never surprises them.
/// </summary>
/// <example><code>
/// [Collection(AdminAppCollection.Name)]
/// public sealed class MyPageTests(AdminApp app, AdminBrowser browser) : IClassFixture&lt;AdminBrowser&gt;
/// {
///     [Fact]
///     public async Task Something()
///     {
///         await using var page = await browser.SignedInAsync(app);          // an Admin of every tenant
///         await page.GotoAsync("/admin/my-page");
///         await page.ScreenshotAsync("my-page");                            // .artifacts/... and docs/images/admin/
///     }
/// }
/// </code></example>
public sealed class AdminApp : IAsyncLifetime
{
    /// <summary>The sandbox's CXone tenant, the only tenant of the demo's integration.</summary>
    public const string SandboxTenantId = "11ee0000-sand-b0x0-0000-000000000001";

    public ByocApp Byoc { get; } = new();

    public Uri EdgeUrl => Byoc.EdgeUrl;

    public Uri SandboxUrl => Byoc.SandboxUrl;

    public SandboxClient Sandbox => Byoc.Sandbox;

    public Task InitializeAsync() => Byoc.InitializeAsync();

    public Task DisposeAsync() => Byoc.DisposeAsync();

    /// <summary>
    /// The link CXone's Points of Contact Digital page opens (the Action URL with a fresh one-time token, the sandbox
    /// admin's ids and <c>backUrl</c> = the sandbox's agent console).
    /// </summary>
    public async Task<string> ActionUrlLinkAsync()
    {
        using var response = await Sandbox.Http.PostAsync("/sandbox/cxone/agent/settings-link", null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;
    }
}

[CollectionDefinition(Name)]
public sealed class AdminAppCollection : ICollectionFixture<AdminApp>
{
    public const string Name = "Admin app";
}
