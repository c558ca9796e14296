using System.Net;
using Byoc.Edge.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Byoc.Edge.Tests;

/// <summary>The settings page sends a refused sign-in back only to CXone's own hosts (no open redirect).</summary>
public sealed class SettingsBackUrlTests(EdgeHost host) : EdgeTest(host)
{
    [Theory]
    [InlineData("https://na1.niceincontact.com/points-of-contact")]
    [InlineData("https://home-de-na2.nicecxone-gov.com/points-of-contact")]
    public async Task A_refused_sign_in_goes_back_to_a_cxone_host_including_the_FedRAMP_domain(string backUrl)
    {
        using var client = Host.Edge.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync($"/settings?backUrl={Uri.EscapeDataString(backUrl)}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(new Uri(backUrl), response.Headers.Location);
    }

    [Fact]
    public async Task A_back_url_outside_cxone_is_not_followed()
    {
        using var client = Host.Edge.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync($"/settings?backUrl={Uri.EscapeDataString("https://nicecxone-gov.com.evil.example/")}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
