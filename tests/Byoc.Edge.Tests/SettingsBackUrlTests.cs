using System.Net;
using Byoc.Edge.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Byoc.Edge.Tests;

/// <summary>The settings page offers the way back only to CXone's own hosts (no open redirect).</summary>
public sealed class SettingsBackUrlTests(EdgeHost host) : EdgeTest(host)
{
    [Theory]
    [InlineData("https://na1.niceincontact.com/points-of-contact")]
    [InlineData("https://home-de-na2.nicecxone-gov.com/points-of-contact")]
    public async Task A_refused_sign_in_offers_the_way_back_to_a_cxone_host_including_the_FedRAMP_domain(string backUrl)
    {
        using var client = Host.Edge.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync($"/settings?backUrl={Uri.EscapeDataString(backUrl)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"href=\"{backUrl}\">Back to CXone</a>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_back_url_outside_cxone_is_not_offered()
    {
        using var client = Host.Edge.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync($"/settings?backUrl={Uri.EscapeDataString("https://nicecxone-gov.com.evil.example/")}");

        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("evil.example", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Back to CXone", page, StringComparison.Ordinal);
    }
}
