using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace Byoc.EndToEnd.Tests.Admin;

/// <summary>
/// One admin browser page (Playwright <see cref="Page"/>) that watches itself: any console error, uncaught script error,
/// failed request or answer of 400 or more fails the test when the page is disposed (use <c>await using</c>), unless
/// the test said it expects it (<see cref="ExpectFailure"/>). <see cref="CheckAccessibilityAsync"/> checks labels and names;
/// <see cref="ScreenshotAsync"/> saves to <c>.artifacts/screenshots/admin/</c> and <c>docs/images/admin/</c>.
/// </summary>
public sealed class AdminPage : IAsyncDisposable
{
    public const string Admin = "Byoc.Admin";
    public const string Viewer = "Byoc.Viewer";

    private static readonly string RepoRoot = FindRepoRoot();
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly List<string> _expected = [];

    internal AdminPage(IBrowserContext context, IPage page, AdminApp app)
    {
        _context = context;
        Page = page;
        App = app;
        page.Console += (_, message) =>
        {
            // The browser's own favicon request is no part of the page (Playwright does not even report it as a request).
            if (message.Type == "error" && !IsExpected(message.Text) && !IsExpected(message.Location) && !message.Location.Contains("/favicon.ico", StringComparison.Ordinal))
            {
                _problems.Enqueue($"console error: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => _problems.Enqueue($"script error: {error}");
        page.RequestFailed += (_, request) =>
        {
            // Navigating away aborts pending requests (Blazor's reconnection, a closed page): not the page's fault.
            if (request.Failure is not ("net::ERR_ABORTED" or null) && !IsExpected(request.Url))
            {
                _problems.Enqueue($"request failed: {request.Method} {request.Url} ({request.Failure})");
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && !IsExpected(response.Url))
            {
                _problems.Enqueue($"answer {response.Status}: {response.Request.Method} {response.Url}");
            }
        };
    }

    public IPage Page { get; }

    public AdminApp App { get; }

    /// <summary>
    /// Tells the page that answers of 400 or more, failed requests and console errors mentioning <paramref name="urlOrText"/>
    /// are what the test expects (e.g. a refused link's 401 page).
    /// </summary>
    public AdminPage ExpectFailure(string urlOrText)
    {
        _expected.Add(urlOrText);
        return this;
    }

    /// <summary>Goes to a path of the Edge (or an absolute URL) and waits until the page is loaded and quiet.</summary>
    public async Task GotoAsync(string pathOrUrl)
    {
        await Page.GotoAsync(pathOrUrl, new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
    }

    /// <summary>Waits for an admin page (the shell's signed-in user) after a sign-in or a redirect.</summary>
    public async Task WaitForAdminAsync()
    {
        await Assertions.Expect(Page.GetByTestId("signed-in-user")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    /// <summary>Signs in with the Development sign-in page: <paramref name="role"/> of <paramref name="tenantIds"/> (none: every tenant).</summary>
    public async Task SignInForDevelopmentAsync(string role = Admin, params string[] tenantIds)
    {
        await GotoAsync("/admin/sign-in");
        await ChooseAsync("Role", role);
        await FillAsync("Tenants", string.Join(',', tenantIds));
        await Page.GetByTestId("development-sign-in-submit").ClickAsync();
        await WaitForAdminAsync();
    }

    /// <summary>Waits until the page's circuit is up (its <c>interactive</c> mark), so what the test types reaches the component.</summary>
    public Task LiveAsync() =>
        Page.GetByTestId("interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });

    /// <summary>Goes to a page of the admin and waits until it is live.</summary>
    public async Task OpenAsync(string path)
    {
        await GotoAsync(path);
        await LiveAsync();
    }

    /// <summary>
    /// The text field labelled <paramref name="label"/>: a FluentUI text input is a web component whose &lt;input&gt; is
    /// in its shadow root (Playwright's CSS pierces it); the field's label names the component (aria-labelledby).
    /// </summary>
    public ILocator Field(string label) => Page.GetByLabel(label, new() { Exact = true }).Locator("input");

    /// <summary>Types <paramref name="value"/> into the text field labelled <paramref name="label"/>.</summary>
    public Task FillAsync(string label, string value) => Field(label).FillAsync(value);

    /// <summary>
    /// Chooses the option of value <paramref name="value"/> in the FluentUI select labelled <paramref name="label"/>: a
    /// dropdown whose combobox button (named by the label) opens its list of options.
    /// </summary>
    public async Task ChooseAsync(string label, string value)
    {
        var combobox = Page.GetByRole(AriaRole.Combobox, new() { Name = label, Exact = true });
        var dropdown = Page.Locator("fluent-dropdown").Filter(new() { Has = combobox });
        await combobox.ClickAsync();
        await dropdown.Locator($"fluent-option[value='{value}']").ClickAsync();
        await Assertions.Expect(dropdown).ToHaveJSPropertyAsync("value", value);
    }

    /// <summary>
    /// Waits until the button is enabled again: a FluentUI button keeps its disabled state in its element internals,
    /// which Playwright's enabled check does not read, so this waits for the disabled attribute to go.
    /// </summary>
    public static Task ExpectEnabledAsync(ILocator button) =>
        Assertions.Expect(button).Not.ToHaveAttributeAsync("disabled", new System.Text.RegularExpressions.Regex(".*"), new() { Timeout = 15_000 });

    /// <summary>
    /// The basic accessibility of what the page shows: every visible field (input, select, text area, and FluentUI's
    /// text inputs, dropdowns and checkboxes, whose own inputs live in their shadow roots) has a label (a label element,
    /// aria-label or aria-labelledby), every button and link (FluentUI's too) a name, every image an alt text.
    /// Fails the test with the list.
    /// </summary>
    public async Task CheckAccessibilityAsync()
    {
        var problems = await Page.EvaluateAsync<string[]>("""
            () => {
              // Inert elements (FluentUI's anchor buttons keep an inert proxy <a>) are out of the accessibility tree.
              const visible = e => !e.closest('[inert]') && !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
              const named = e => (e.getAttribute('aria-label') || '').trim() || (e.getAttribute('aria-labelledby') || '').split(' ').map(id => document.getElementById(id)?.textContent || '').join('').trim()
                || (e.getAttribute('title') || '').trim();
              const problems = [];
              const fields = 'input:not([type=hidden]), select, textarea, fluent-text-input, fluent-textarea, fluent-dropdown, fluent-checkbox, fluent-switch, fluent-radio-group, fluent-slider';
              for (const e of document.querySelectorAll(fields)) {
                if (!visible(e)) continue;
                const label = (e.id && document.querySelector(`label[for="${CSS.escape(e.id)}"]`)) || e.closest('label');
                if (!label && !named(e)) problems.push(`no label: <${e.tagName.toLowerCase()} name="${e.getAttribute('name') || ''}" id="${e.id || ''}">`);
              }
              const actions = 'button, [role=button], a[href], fluent-button, fluent-anchor-button, fluent-link, [role=link]';
              for (const e of document.querySelectorAll(actions)) {
                if (!visible(e)) continue;
                if (!(e.textContent || '').trim() && !named(e) && !e.querySelector('img[alt]:not([alt=""]), svg[aria-label]')) problems.push(`no name: <${e.tagName.toLowerCase()} ${e.outerHTML.slice(0, 80)}>`);
              }
              for (const e of document.querySelectorAll('img')) {
                if (!e.hasAttribute('alt')) problems.push(`no alt: ${e.outerHTML.slice(0, 80)}`);
              }
              if (!document.documentElement.lang) problems.push('no lang on <html>');
              if (!document.title) problems.push('no <title>');
              return problems;
            }
            """);
        Assert.True(problems.Length == 0, $"Accessibility problems on {Page.Url}:\n{string.Join('\n', problems)}");
    }

    /// <summary>
    /// A full-page screenshot saved as <c>.artifacts/screenshots/admin/{name}.png</c> (the test's artifact) and copied to
    /// <c>docs/images/admin/{name}.png</c> (what docs/admin.md shows).
    /// </summary>
    public async Task ScreenshotAsync(string name)
    {
        var artifact = Path.Combine(RepoRoot, ".artifacts", "screenshots", "admin", $"{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(artifact)!);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = artifact, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        var doc = Path.Combine(RepoRoot, "docs", "images", "admin", $"{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(doc)!);
        File.Copy(artifact, doc, overwrite: true);
    }

    /// <summary>A call to the admin API with this page's session, anti-forgery header included for changes.</summary>
    public async Task<IAPIResponse> ApiAsync(string method, string path, object? body = null)
    {
        var options = new APIRequestContextOptions { Method = method, DataObject = body };
        if (method is not "GET" and not "HEAD")
        {
            var token = await (await _context.APIRequest.GetAsync("/admin/api/antiforgery")).JsonAsync();
            options.Headers = new Dictionary<string, string> { [token!.Value.GetProperty("headerName").GetString()!] = token.Value.GetProperty("token").GetString()! };
        }

        return await _context.APIRequest.FetchAsync(path, options);
    }

    /// <summary>The problems seen so far (console errors, failed requests, error answers).</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    public async ValueTask DisposeAsync()
    {
        var problems = _problems.ToArray();
        await _context.CloseAsync();
        Assert.True(problems.Length == 0, $"The page had problems:\n{string.Join('\n', problems)}");
    }

    private bool IsExpected(string text) => _expected.Any(e => text.Contains(e, StringComparison.Ordinal));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Byoc.Aspire.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Byoc.Aspire.sln) was not found above " + AppContext.BaseDirectory);
    }
}
