using System.Net;
using System.Text;
using Byoc.Conversations.Cxone;
using Byoc.Conversations.Registry;
using Byoc.ServiceDefaults;

namespace Byoc.Conversations.Tests;

public sealed class CxoneDiscoveryTests
{
    [Fact]
    public async Task The_Digital_API_is_found_at_api_de_of_the_tenants_area_and_domain()
    {
        var discovery = Discovery("""{"tenantId":"t1","area":"na1","domain":"niceincontact.com","api_endpoint":"https://api-na1.niceincontact.com"}""");

        var baseUrl = await discovery.DigitalApiBaseAsync(Integration(digitalApiBaseUrl: null), CancellationToken.None);

        Assert.Equal("https://api-de-na1.niceincontact.com/dfo/3.0", baseUrl);
    }

    [Theory]
    [InlineData("""{"tenantId":"t1","area":"na2","domain":"niceincontact.com","api_endpoint":"https://api-na2.niceincontact.com"}""")]
    [InlineData("""{"tenantId":"t1","area":"na2"}""")]
    public async Task The_FedRAMP_area_na2_is_found_on_nicecxone_gov(string cxoneConfiguration)
    {
        var discovery = Discovery(cxoneConfiguration);

        var baseUrl = await discovery.DigitalApiBaseAsync(Integration(digitalApiBaseUrl: null), CancellationToken.None);

        Assert.Equal("https://api-de-na2.nicecxone-gov.com/dfo/3.0", baseUrl);
    }

    [Theory]
    [InlineData("""{"tenantId":"t1","api_endpoint":"https://api-na1.niceincontact.com/"}""", "area")]
    [InlineData("""{"tenantId":"t1","area":"","domain":"niceincontact.com","api_endpoint":"https://api-na1.niceincontact.com/"}""", "area")]
    [InlineData("""{"tenantId":"t1","area":"na1","api_endpoint":"https://api-na1.niceincontact.com/"}""", "domain")]
    public async Task Without_an_area_the_ACD_api_endpoint_is_not_guessed_and_the_setting_to_configure_is_named(string cxoneConfiguration, string missing)
    {
        var discovery = Discovery(cxoneConfiguration);

        var e = await Assert.ThrowsAsync<CxoneDiscoveryException>(() => discovery.DigitalApiBaseAsync(Integration(null), CancellationToken.None));

        Assert.True(e.IsConfigurationError);
        Assert.Contains($"names no {missing}", e.Message, StringComparison.Ordinal);
        Assert.Contains("Byoc:Provisioning:Integrations:N:Cxone:DigitalApiBaseUrl", e.Message, StringComparison.Ordinal);
        Assert.Contains("integration i1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_base_wins_over_discovery()
    {
        var discovery = Discovery("""{"tenantId":"t1","area":"na1","domain":"niceincontact.com"}""");

        Assert.Equal("https://custom.example/dfo/3.0", await discovery.DigitalApiBaseAsync(Integration("https://custom.example/dfo/3.0/"), CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_area_refuses_the_call_to_cxone_instead_of_retrying_it()
    {
        var stub = new StubHttpClients("""{"tenantId":"t1","api_endpoint":"https://api-na1.niceincontact.com/"}""");
        var discovery = new CxoneDiscovery(stub, TimeProvider.System);
        var client = new CxoneClient(stub, null!, discovery);

        var result = await client.ListChannelsAsync(Integration(null), CancellationToken.None);

        Assert.Equal(CxoneOutcome.Rejected, result.Outcome);
        Assert.Contains("DigitalApiBaseUrl", result.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_in_URL_paths_are_redacted_for_traces()
    {
        Assert.Equal("https://api.telegram.org/bot{redacted}/sendMessage", SecretsInUrls.Redact("https://api.telegram.org/bot123456:AAE-x_yz/sendMessage"));
        Assert.Equal("https://api.telegram.org/file/bot{redacted}/photos/1.jpg", SecretsInUrls.Redact("https://api.telegram.org/file/bot123456:AAE-x_yz/photos/1.jpg"));
        Assert.Null(SecretsInUrls.Redact("https://api.example/robots/bot/status"));
    }

    [Fact]
    public void Query_values_are_redacted_for_traces_and_their_names_kept()
    {
        Assert.Equal("https://api.example/v1/me?access_token=Redacted&fields=Redacted", SecretsInUrls.Redact("https://api.example/v1/me?access_token=s3cr3t&fields=id,name"));
        Assert.Equal("https://api.telegram.org/bot{redacted}/getFile?file_id=Redacted", SecretsInUrls.Redact("https://api.telegram.org/bot1:AA-b/getFile?file_id=x"));
        Assert.Equal("?client_secret=Redacted&flag&empty=Redacted", SecretsInUrls.RedactQuery("?client_secret=a+b%2F&flag&empty="));
        Assert.Equal("?", SecretsInUrls.RedactQuery("?"));
        Assert.Null(SecretsInUrls.Redact("https://api.example/v1/me?"));
    }

    private static Integration Integration(string? digitalApiBaseUrl) =>
        new("i1", "t1", "Test", "client", new CxoneAccess("https://cxone.niceincontact.com", "app", "app-secret", "key", "key-secret", digitalApiBaseUrl));

    private static CxoneDiscovery Discovery(string cxoneConfiguration) =>
        new(new StubHttpClients(cxoneConfiguration), TimeProvider.System);

    private sealed class StubHttpClients(string body) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(new Answer(body));

        private sealed class Answer(string body) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                Task.FromResult(request.RequestUri!.AbsolutePath == "/.well-known/cxone-configuration"
                    ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") }
                    : new HttpResponseMessage(HttpStatusCode.NotFound));
        }
    }
}
