using System.Net;
using System.Net.Http.Headers;
using Byoc.Edge.Tests.Infrastructure;

namespace Byoc.Edge.Tests.Admin;

public sealed class AdminShellTests(EdgeHost host) : EdgeTest(host)
{
    [Fact]
    public async Task The_admin_home_page_renders_for_an_admin_signed_in_with_the_api_key()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        request.Headers.Add("X-Api-Key", TestData.AdminApiKey);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1 tabindex=\"-1\">Byoc admin</h1>", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"signed-in-user\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_browser_without_an_admin_session_is_sent_to_sign_in()
    {
        using var client = Host.Edge.CreateClient(new() { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/admin/sign-in", response.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_api_answers_401_problem_details_without_credentials()
    {
        using var response = await Client.GetAsync("/admin/api/audit");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
