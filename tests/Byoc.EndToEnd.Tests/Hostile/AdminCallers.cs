using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Byoc.EndToEnd.Tests.Hostile;

/// <summary>
/// The ways a caller presents itself to the admin API and pages of a running Edge: the API key, or a Development
/// sign-in session (its cookies sent by hand: the session cookie is Secure, and the Edge here is plain http, which a
/// browser allows for localhost but <see cref="CookieContainer"/> does not).
/// </summary>
public static partial class AdminCallers
{
    public static readonly TimeSpan NoHang = TimeSpan.FromSeconds(15);

    public static (string Name, string Value) ApiKey(string key) => ("X-Api-Key", key);

    /// <summary>A client that follows no redirect and keeps no cookie: every case sends its own headers.</summary>
    public static HttpClient Client(Uri edge) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = edge, Timeout = NoHang };

    /// <summary>A Development sign-in session: its Cookie header, and the anti-forgery header its changes need.</summary>
    public sealed record Session(string Role, string Tenants, (string Name, string Value) Cookie, (string Name, string Value) Antiforgery);

    /// <summary>Signs in with the Development sign-in form (as its page posts it) and fetches the API's anti-forgery token.</summary>
    public static async Task<Session> SignInAsync(HttpClient http, string role, string tenants)
    {
        var (formToken, formCookie) = await SignInFormAsync(http);
        var cookies = Parse(formCookie.Value);
        using var form = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(
            $"Role={Uri.EscapeDataString(role)}&Tenants={Uri.EscapeDataString(tenants)}&Name=Hostile&ReturnUrl=%2Fadmin&__RequestVerificationToken={Uri.EscapeDataString(formToken)}"));
        form.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        using var signedIn = await SendAsync(http, HttpMethod.Post, "/admin/sign-in/development", cookies, form);
        Keep(signedIn, cookies);
        if (signedIn.StatusCode != HttpStatusCode.Redirect || !cookies.ContainsKey("__Host-byoc-admin"))
        {
            throw new InvalidOperationException($"Development sign-in answered {(int)signedIn.StatusCode}: {await signedIn.Content.ReadAsStringAsync()} {string.Join(", ", cookies.Keys)}");
        }

        using var antiforgery = await SendAsync(http, HttpMethod.Get, "/admin/api/antiforgery", cookies, null);
        var token = await antiforgery.Content.ReadFromJsonAsync<JsonElement>();
        Keep(antiforgery, cookies);
        return new Session(role, tenants, ("Cookie", CookieHeader(cookies)), (token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString()!));
    }

    /// <summary>The sign-in page's form token and the cookie it is paired with, for posting the sign-in form by hand.</summary>
    public static async Task<(string FormToken, (string Name, string Value) Cookie)> SignInFormAsync(HttpClient http)
    {
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        using var page = await SendAsync(http, HttpMethod.Get, "/admin/sign-in", cookies, null);
        Keep(page, cookies);
        var html = await page.Content.ReadAsStringAsync();
        return (WebUtility.HtmlDecode(FormToken().Match(html).Groups[1].Value), ("Cookie", CookieHeader(cookies)));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, Dictionary<string, string> cookies, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (method == HttpMethod.Get)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        }

        if (cookies.Count > 0)
        {
            request.Headers.TryAddWithoutValidation("Cookie", CookieHeader(cookies));
        }

        return await http.SendAsync(request);
    }

    private static void Keep(HttpResponseMessage response, Dictionary<string, string> cookies)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            return;
        }

        foreach (var value in values)
        {
            var pair = value.Split(';', 2)[0];
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            cookies[pair[..at]] = pair[(at + 1)..];
        }
    }

    private static Dictionary<string, string> Parse(string cookieHeader) =>
        cookieHeader.Split("; ", StringSplitOptions.RemoveEmptyEntries).Select(c => c.Split('=', 2)).ToDictionary(c => c[0], c => c[1], StringComparer.Ordinal);

    private static string CookieHeader(Dictionary<string, string> cookies) => string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}"));

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
