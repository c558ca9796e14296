using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Byoc.Edge.Tests.Admin;

/// <summary>A browser-like client of an Edge under test: https (the session cookie is Secure), cookies kept, no redirects followed.</summary>
public static partial class AdminSessions
{
    public static readonly Uri Https = new("https://localhost");

    public static HttpClient Browser(Infrastructure.EdgeFactory edge) => edge.CreateClient(new() { BaseAddress = Https, AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>A page as a browser asks for it (Accept: text/html).</summary>
    public static async Task<HttpResponseMessage> PageAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        return await client.SendAsync(request);
    }

    /// <summary>The anti-forgery token a page's forms carry.</summary>
    public static string FormToken(string html) =>
        FormTokenPattern().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException("The page has no anti-forgery token.");

    /// <summary>Posts a form of the page with its anti-forgery token, as the browser would.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string pagePath, string action, Dictionary<string, string> fields)
    {
        using var page = await PageAsync(client, pagePath);
        fields["__RequestVerificationToken"] = FormToken(await page.Content.ReadAsStringAsync());
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormTokenPattern();
}
