using System.Net;
using Byoc.Edge.Tests.Infrastructure;
using Grpc.Core;

namespace Byoc.Edge.Tests;

public sealed class SettingsPageTests(EdgeHost host) : EdgeTest(host)
{
    [Theory]
    [InlineData("userId=abc&brandId=2", "userId")]
    [InlineData("userId=1&brandId=99999999999999999999", "brandId")]
    [InlineData("userId=1,2&brandId=2", "userId")]
    public async Task A_link_whose_number_is_not_one_shows_a_browser_a_clear_400_page_naming_it(string ids, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/settings?{ids}&token=good&apiHost={TestData.CxoneHostA}&backUrl={Uri.EscapeDataString("https://na1.niceincontact.com/back")}");
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await Client.SendAsync(request);

        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Contains("<h1>This link is not valid</h1>", page, StringComparison.Ordinal);
        Assert.Contains($"{field} must be a whole number", page, StringComparison.Ordinal);
        Assert.Contains("href=\"https://na1.niceincontact.com/back\">Back to CXone</a>", page, StringComparison.Ordinal);
        Assert.Empty(Conversations.Integrations.SettingsCalls);
    }

    [Fact]
    public async Task A_link_whose_number_is_not_one_answers_other_callers_a_problem_naming_the_field()
    {
        using var response = await Client.GetAsync($"/settings?userId=1&brandId=x&token=good&apiHost={TestData.CxoneHostA}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("brandId", (await JsonOf(response)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task The_token_is_checked_with_the_cxone_named_by_api_host()
    {
        using var client = Host.Edge.CreateClient(new() { AllowAutoRedirect = false });
        using var response = await client.GetAsync($"/settings?userId=1&brandId=2&token=good&apiHost={TestData.CxoneHostA}&backUrl={Uri.EscapeDataString("https://other.niceincontact.com/back")}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/admin", response.Headers.Location?.ToString());
        Assert.Equal(TestData.CxoneHostA, Assert.Single(Conversations.Integrations.SettingsCalls).CxoneHost);
    }

    [Fact]
    public async Task Without_api_host_the_back_url_host_names_the_cxone()
    {
        using var client = Host.Edge.CreateClient(new() { AllowAutoRedirect = false });
        using var response = await client.GetAsync($"/settings?userId=1&brandId=2&token=good&backUrl={Uri.EscapeDataString($"https://{TestData.CxoneHostA}/page")}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(TestData.CxoneHostA, Assert.Single(Conversations.Integrations.SettingsCalls).CxoneHost);
    }

    [Fact]
    public async Task An_unknown_api_host_answers_a_clear_400_page()
    {
        using var response = await Client.GetAsync("/settings?userId=1&brandId=2&token=good&apiHost=api-evil.example");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Contains("api-evil.example", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_naming_no_cxone_answers_400_without_asking_conversations()
    {
        using var response = await Client.GetAsync("/settings?userId=1&brandId=2&token=good");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("apiHost", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Conversations.Integrations.SettingsCalls);
    }

    [Theory]
    [InlineData(StatusCode.Internal)]
    [InlineData(StatusCode.Unknown)]
    [InlineData(StatusCode.Unavailable)]
    public async Task An_unexpected_conversations_error_answers_a_503_page_not_500(StatusCode status)
    {
        Conversations.Integrations.Behaviour.FailWith = status;

        using var response = await Client.GetAsync($"/settings?userId=1&brandId=2&token=good&apiHost={TestData.CxoneHostA}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("open the page again from CXone", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_openings_from_one_address_answer_429_with_retry_after_and_other_addresses_still_get_in()
    {
        await using var edge = Host.Create(new Dictionary<string, string?> { ["Edge:Settings:PermitsPerMinute"] = "3" });
        using var client = edge.CreateClient(new() { AllowAutoRedirect = false });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var opened = await OpenFrom(client, "203.0.113.7");
            statuses.Add(opened.StatusCode);
            if (opened.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(opened.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            }
        }

        using var elsewhere = await OpenFrom(client, "198.51.100.9");

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(3, Conversations.Integrations.SettingsCalls.Count - 1);
        Assert.Equal(HttpStatusCode.Redirect, elsewhere.StatusCode);
    }

    private static Task<HttpResponseMessage> OpenFrom(HttpClient client, string address)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/settings?userId=1&brandId=2&token=good&apiHost={TestData.CxoneHostA}");
        request.Headers.Add(EdgeFactory.RemoteAddressHeader, address);
        return client.SendAsync(request);
    }
}
