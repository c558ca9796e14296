using Microsoft.Playwright;

namespace Byoc.EndToEnd.Tests.Admin;

/// <summary>
/// The admin UI in a browser for the points-of-contact and credentials tests: a page signed in with the Development
/// sign-in (an Admin of every tenant), console errors collected, screenshots saved as artifacts and copied to the docs.
/// </summary>
public sealed class AdminPages(ByocApp app, Browser browser)
{
    public List<string> ConsoleErrors { get; } = [];

    public async Task<IPage> SignedInAsync(string returnUrl)
    {
        var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                ConsoleErrors.Add($"{message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => ConsoleErrors.Add(error);
        await page.GotoAsync(new Uri(app.EdgeUrl, $"/admin/sign-in?returnUrl={Uri.EscapeDataString(returnUrl)}").ToString());
        await page.GetByTestId("development-sign-in-submit").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).PathAndQuery.StartsWith(returnUrl, StringComparison.Ordinal), new() { Timeout = 30_000 });
        await LiveAsync(page);
        return page;
    }

    /// <summary>Waits until the page's circuit is up, so what the test types reaches the component.</summary>
    public static Task LiveAsync(IPage page) =>
        page.GetByTestId("interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });

    /// <summary>Saves a full-page screenshot under .artifacts/screenshots/admin/ and copies it to docs/images/admin/.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var root = RepoRoot();
        var artifact = Path.Combine(root, ".artifacts", "screenshots", "admin", $"{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(artifact)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = artifact, FullPage = true });
        var docs = Path.Combine(root, "docs", "images", "admin", $"{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(docs)!);
        File.Copy(artifact, docs, overwrite: true);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Byoc.Aspire.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Byoc.Aspire.sln not found above the test's directory");
    }
}
