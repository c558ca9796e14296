using Microsoft.Playwright;

namespace Byoc.EndToEnd.Tests.Admin;

/// <summary>
/// Chromium for the admin UI's browser tests (a class fixture). Each <see cref="AdminPage"/> has a browser context of
/// its own (its own cookies, so its own admin session).
/// </summary>
public sealed class AdminBrowser : IAsyncLifetime
{
    private readonly Browser _browser = new();

    public Task InitializeAsync() => _browser.InitializeAsync();

    public Task DisposeAsync() => _browser.DisposeAsync();

    /// <summary>A page not signed in, on the Edge (relative paths go to <see cref="AdminApp.EdgeUrl"/>).</summary>
    public async Task<AdminPage> NewPageAsync(AdminApp app)
    {
        var context = await _browser.Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.EdgeUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        return new AdminPage(context, await context.NewPageAsync(), app);
    }

    /// <summary>
    /// A page signed in with the Development sign-in (the app runs in Development) as <paramref name="role"/> of
    /// <paramref name="tenantIds"/> (none: every tenant), on /admin.
    /// </summary>
    public async Task<AdminPage> SignedInAsync(AdminApp app, string role = AdminPage.Admin, params string[] tenantIds)
    {
        var page = await NewPageAsync(app);
        await page.SignInForDevelopmentAsync(role, tenantIds);
        return page;
    }

    /// <summary>A page signed in as CXone opens it: the Action URL with a one-time token, an Admin of the sandbox's tenant.</summary>
    public async Task<AdminPage> FromCxoneAsync(AdminApp app)
    {
        var page = await NewPageAsync(app);
        await page.GotoAsync(await app.ActionUrlLinkAsync());
        await page.WaitForAdminAsync();
        return page;
    }
}
