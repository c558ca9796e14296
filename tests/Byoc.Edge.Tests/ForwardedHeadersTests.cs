using System.Net;
using System.Text.Json;
using Byoc.Edge.Tests.Infrastructure;

namespace Byoc.Edge.Tests;

public sealed class ForwardedHeadersTests(EdgeHost host) : EdgeTest(host)
{
    [Fact]
    public async Task X_forwarded_for_from_an_unknown_address_is_ignored()
    {
        using var response = await WrongTokenAsync(Client, from: "203.0.113.7", forwardedFor: "198.51.100.23");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.EndsWith("from 203.0.113.7", LoggedAddress(Host.Edge), StringComparison.Ordinal);
    }

    [Fact]
    public async Task X_forwarded_for_from_a_configured_proxy_network_is_honoured()
    {
        await using var edge = Host.Create(new Dictionary<string, string?> { ["Byoc:ForwardedHeaders:KnownNetworks:0"] = "203.0.113.0/24" });
        using var client = edge.CreateClient();

        using var response = await WrongTokenAsync(client, from: "203.0.113.7", forwardedFor: "198.51.100.23");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.EndsWith("from 198.51.100.23", LoggedAddress(edge), StringComparison.Ordinal);
    }

    [Fact]
    public async Task By_default_only_a_loopback_proxy_is_trusted()
    {
        using var response = await WrongTokenAsync(Client, from: "127.0.0.1", forwardedFor: "198.51.100.24");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.EndsWith("from 198.51.100.24", LoggedAddress(Host.Edge), StringComparison.Ordinal);
    }

    private static string LoggedAddress(EdgeFactory edge)
    {
        var message = edge.Logs.Entries.Last(e => e.EventId.Id == 4102).Message;
        return message[..message.IndexOf(';', StringComparison.Ordinal)];
    }

    private static Task<HttpResponseMessage> WrongTokenAsync(HttpClient client, string from, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/1.0/token")
        {
            Content = Json(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = TestData.ClientA,
                ["client_secret"] = "wrong",
            })),
        };
        request.Headers.Add(EdgeFactory.RemoteAddressHeader, from);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request);
    }
}
