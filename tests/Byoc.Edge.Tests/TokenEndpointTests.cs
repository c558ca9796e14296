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
    public async Task After_many_wrong_attempts_for_a_client_id_from_an_address_the_right_secret_from_it_still_gets_a_token_at_once()
    {
        await using var edge = Throttled(freeFailures: 1, delay: "00:00:00.250", max: "00:00:01");
        using var client = edge.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            using var failed = await TokenFromAsync(client, "203.0.113.7", TestData.ClientA, "wrong");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
            Assert.Equal("invalid_client", (await JsonOf(failed)).GetProperty("error").GetString());
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        using var response = await TokenFromAsync(client, "203.0.113.7", TestData.ClientA, TestData.SecretA);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // A wrong attempt now waits the full second; the right one is not made to wait at all.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(1), $"the right secret took {started.Elapsed}");
        Assert.Equal(1000, InvalidClientDelays(edge).Last());
    }

    [Fact]
    public async Task Wrong_attempts_are_answered_after_a_growing_capped_delay()
    {
        await using var edge = Throttled(freeFailures: 2, delay: "00:00:00.100", max: "00:00:00.400");
        using var client = edge.CreateClient();
        var elapsed = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            using var failed = await TokenFromAsync(client, "203.0.113.7", TestData.ClientA, "wrong");
            elapsed.Add(started.Elapsed);
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
            Assert.Equal("invalid_client", (await JsonOf(failed)).GetProperty("error").GetString());
        }

        var delays = InvalidClientDelays(edge);
        Assert.Equal([0, 0, 100, 200, 400, 400], delays);
        // The timers behind Task.Delay tick in milliseconds and may fire a fraction early against the Stopwatch
        // (399.6 ms seen for 400): a few ms of slack, while the delays themselves are checked exactly above.
        var timerResolution = TimeSpan.FromMilliseconds(5);
        for (var i = 0; i < delays.Count; i++)
        {
            Assert.True(elapsed[i] >= TimeSpan.FromMilliseconds(delays[i]) - timerResolution, $"attempt {i + 1} was answered after {elapsed[i]}, before its {delays[i]} ms");
        }
    }

    [Fact]
    public async Task Wrong_attempts_from_one_address_do_not_slow_another_client_id_or_another_address()
    {
        await using var edge = Throttled(freeFailures: 1, delay: "00:00:00.100", max: "00:00:00.200");
        using var client = edge.CreateClient();
        for (var i = 0; i < 4; i++)
        {
            using var failed = await TokenFromAsync(client, "203.0.113.7", TestData.ClientA, "wrong");
        }

        using var otherClient = await TokenFromAsync(client, "203.0.113.7", TestData.ClientB, "wrong");
        using var otherAddress = await TokenFromAsync(client, "198.51.100.9", TestData.ClientA, "wrong");
        using var otherClientRight = await TokenFromAsync(client, "203.0.113.7", TestData.ClientB, TestData.SecretB);

        Assert.Equal([0, 100, 200, 200, 0, 0], InvalidClientDelays(edge));
        Assert.Equal(HttpStatusCode.Unauthorized, otherClient.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherAddress.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherClientRight.StatusCode);
    }

    [Fact]
    public async Task Failed_attempts_are_counted_in_redis_so_another_replica_slows_down_too()
    {
        await using var edge = Throttled(freeFailures: 1, delay: "00:00:00.100", max: "00:00:00.200");
        await using var replica = Throttled(freeFailures: 1, delay: "00:00:00.100", max: "00:00:00.200");
        using var client = edge.CreateClient();
        using var replicaClient = replica.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            using var failed = await TokenFromAsync(client, "203.0.113.7", TestData.ClientA, "wrong");
        }

        using var response = await TokenFromAsync(replicaClient, "203.0.113.7", TestData.ClientA, "wrong");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal([200], InvalidClientDelays(replica));
    }

    [Fact]
    public async Task An_unknown_client_id_is_logged_only_by_a_fingerprint_so_a_secret_typed_into_it_never_reaches_the_log()
    {
        var forged = "evil\r\nSecurity: admin call accepted\u001b[31m" + new string('x', 5000);

        using var failed = await TokenFromAsync(Client, "203.0.113.7", forged, "wrong");
        var loggedForged = Host.Edge.Logs.Entries.Last(e => e.EventId.Id == 4102).Message;
        // Id and secret swapped: the secret arrives as the client id.
        using var swapped = await TokenFromAsync(Client, "203.0.113.8", TestData.SecretA, TestData.ClientA);
        var loggedSwapped = Host.Edge.Logs.Entries.Last(e => e.EventId.Id == 4102).Message;

        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, swapped.StatusCode);
        Assert.DoesNotContain("evil", loggedForged, StringComparison.Ordinal);
        Assert.DoesNotContain(loggedForged, c => char.IsControl(c));
        Assert.True(loggedForged.Length < 300, $"{loggedForged.Length} characters logged");
        Assert.Contains("(unknown, sha256 ", loggedForged, StringComparison.Ordinal);
        Assert.DoesNotContain(TestData.SecretA, loggedSwapped, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_known_client_id_with_a_wrong_secret_is_logged_as_it_is_so_the_integration_can_be_found()
    {
        using var failed = await TokenFromAsync(Client, "203.0.113.9", TestData.ClientA, "wrong");

        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        Assert.Contains($"client {TestData.ClientA} ", Host.Edge.Logs.Entries.Last(e => e.EventId.Id == 4102).Message, StringComparison.Ordinal);
    }

    private EdgeFactory Throttled(int freeFailures, string delay, string max) => Host.Create(new Dictionary<string, string?>
    {
        ["Edge:Token:FreeFailures"] = freeFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Edge:Token:FailureDelay"] = delay,
        ["Edge:Token:MaxFailureDelay"] = max,
    });

    private static List<int> InvalidClientDelays(EdgeFactory edge) =>
        [.. edge.Logs.Entries.Where(e => e.EventId.Id == 4102)
            .Select(e => int.Parse(System.Text.RegularExpressions.Regex.Match(e.Message, @"after (\d+) ms").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    private Task<HttpResponseMessage> TokenFromAsync(string address, string clientId, string secret) => TokenFromAsync(Client, address, clientId, secret);

    private static async Task<HttpResponseMessage> TokenFromAsync(HttpClient client, string address, string clientId, string secret)
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
        return await client.SendAsync(request);
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
