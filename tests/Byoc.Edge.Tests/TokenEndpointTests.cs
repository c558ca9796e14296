using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Byoc.Edge.Tests.Infrastructure;
using Grpc.Core;

namespace Byoc.Edge.Tests;

public sealed class TokenEndpointTests(EdgeHost host) : EdgeTest(host)
{
    [Fact]
    public async Task A_json_token_request_gets_a_bearer_token_of_one_hour()
    {
        using var response = await RequestTokenAsync(Client, TestData.ClientA, TestData.SecretA);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonOf(response);
        ContractShapes.AssertSameShape(ContractShapes.Token, body);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        // OpenIddict counts the seconds left, so a second may have passed.
        Assert.InRange(body.GetProperty("expires_in").GetInt32(), 3595, 3600);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("access_token").GetString()));
        var call = Assert.Single(Conversations.Integrations.VerifyCalls);
        Assert.Equal(TestData.ClientA, call.ClientId);
        Assert.Equal(TestData.SecretA, call.ClientSecret);
    }

    [Fact]
    public async Task A_form_encoded_token_request_gets_a_token()
    {
        using var response = await Client.PostAsync("/1.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = TestData.ClientA,
            ["client_secret"] = TestData.SecretA,
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", (await JsonOf(response)).GetProperty("token_type").GetString());
    }

    [Fact]
    public async Task A_token_request_with_http_basic_client_authentication_gets_a_token()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/1.0/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Authorization = Basic(TestData.ClientA, TestData.SecretA);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TestData.ClientA, Assert.Single(Conversations.Integrations.VerifyCalls).ClientId);
    }

    [Fact]
    public async Task A_json_grant_type_with_http_basic_client_authentication_gets_a_token()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/1.0/token") { Content = Json("""{"grant_type": "client_credentials"}""") };
        request.Headers.Authorization = Basic(TestData.ClientA, TestData.SecretA);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_access_token_carries_the_integration_and_tenant_the_credentials_belong_to()
    {
        var token = await TokenAsync(Client, TestData.ClientB, TestData.SecretB);

        var payload = JwtPayload(token);
        Assert.Equal(TestData.IntegrationB, payload.GetProperty("byoc_integration_id").GetString());
        Assert.Equal(TestData.TenantB, payload.GetProperty("byoc_tenant_id").GetString());
        Assert.Equal(TestData.IntegrationB, payload.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task The_access_token_is_signed_with_es256_by_the_shared_key()
    {
        var token = await TokenAsync(Client, TestData.ClientA, TestData.SecretA);

        var header = JwtHeader(token);
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal(16, header.GetProperty("kid").GetString()!.Length);
    }

    [Fact]
    public async Task A_configured_authorization_url_path_answers_like_the_default_one()
    {
        using var response = await RequestTokenAsync(Client, TestData.ClientA, TestData.SecretA, TestData.ExtraTokenPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", (await JsonOf(response)).GetProperty("token_type").GetString());
    }

    [Fact]
    public async Task A_wrong_secret_in_json_answers_401_invalid_client()
    {
        using var response = await RequestTokenAsync(Client, TestData.ClientA, "wrong");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await JsonOf(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_wrong_secret_in_http_basic_answers_401_invalid_client()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/1.0/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Authorization = Basic(TestData.ClientA, "wrong");

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await JsonOf(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Another_integrations_secret_does_not_authenticate_a_client_id()
    {
        using var response = await RequestTokenAsync(Client, TestData.ClientA, TestData.SecretB);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await JsonOf(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_request_without_client_credentials_answers_400_invalid_request_without_asking_conversations()
    {
        using var response = await Client.PostAsync("/1.0/token", Json("""{"grant_type": "client_credentials"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await JsonOf(response)).GetProperty("error").GetString());
        Assert.Empty(Conversations.Integrations.VerifyCalls);
    }

    [Fact]
    public async Task Another_grant_type_answers_400_unsupported_grant_type()
    {
        using var response = await Client.PostAsync("/1.0/token", Json(
            $$"""{"grant_type": "password", "client_id": "{{TestData.ClientA}}", "client_secret": "{{TestData.SecretA}}", "username": "u", "password": "p"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unsupported_grant_type", (await JsonOf(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_request_without_grant_type_answers_400_invalid_request()
    {
        using var response = await Client.PostAsync("/1.0/token", Json($$"""{"client_id": "{{TestData.ClientA}}", "client_secret": "{{TestData.SecretA}}"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await JsonOf(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Malformed_json_answers_400_invalid_request()
    {
        using var response = await Client.PostAsync("/1.0/token", Json("""{"grant_type": "client_credentials", """));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await JsonOf(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_token_request_over_the_size_limit_answers_413()
    {
        var padding = new string('x', 1024 * 1024);
        using var response = await Client.PostAsync("/1.0/token", Json($$"""{"grant_type": "client_credentials", "pad": "{{padding}}"}"""));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("invalid_request", (await JsonOf(response)).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(StatusCode.Unavailable)]
    [InlineData(StatusCode.DeadlineExceeded)]
    public async Task While_conversations_cannot_check_credentials_the_token_endpoint_answers_503_with_retry_after(StatusCode status)
    {
        Conversations.Integrations.Behaviour.FailWith = status;

        using var response = await RequestTokenAsync(Client, TestData.ClientA, TestData.SecretA);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("temporarily_unavailable", (await JsonOf(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Too_many_failures_for_one_client_id_answer_429_with_retry_after_even_with_the_right_secret()
    {
        for (var i = 0; i < 3; i++)
        {
            using var failed = await RequestTokenAsync(Client, TestData.ClientA, "wrong");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var response = await RequestTokenAsync(Client, TestData.ClientA, TestData.SecretA);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.False(string.IsNullOrEmpty((await JsonOf(response)).GetProperty("error").GetString()));
        using var other = await RequestTokenAsync(Client, TestData.ClientB, TestData.SecretB);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Too_many_failures_from_one_address_answer_429_for_every_client_id_from_it()
    {
        for (var i = 0; i < 5; i++)
        {
            using var failed = await TokenFromAsync("203.0.113.7", $"guessed-{i}", "wrong");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var blocked = await TokenFromAsync("203.0.113.7", TestData.ClientB, TestData.SecretB);
        using var elsewhere = await TokenFromAsync("198.51.100.9", TestData.ClientB, TestData.SecretB);

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.NotNull(blocked.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Failed_attempts_are_counted_in_redis_so_another_replica_refuses_too()
    {
        await using var replica = Host.Create();
        using var replicaClient = replica.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var failed = await RequestTokenAsync(Client, TestData.ClientA, "wrong");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var response = await RequestTokenAsync(replicaClient, TestData.ClientA, TestData.SecretA);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
    }

    private async Task<HttpResponseMessage> TokenFromAsync(string address, string clientId, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/1.0/token")
        {
            Content = Json(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = clientId,
                ["client_secret"] = secret,
            })),
        };
        request.Headers.Add(EdgeFactory.RemoteAddressHeader, address);
        return await Client.SendAsync(request);
    }

    private static AuthenticationHeaderValue Basic(string clientId, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));

    internal static JsonElement JwtPayload(string token) => JwtPart(token, 1);

    internal static JsonElement JwtHeader(string token) => JwtPart(token, 0);

    private static JsonElement JwtPart(string token, int index)
    {
        var payload = token.Split('.')[index].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        return JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement.Clone();
    }
}
