using System.Net;
using System.Net.Http.Json;
using Byoc.Edge.Tests.Infrastructure;

namespace Byoc.Edge.Tests;

public sealed class AdminApiTests(EdgeHost host) : EdgeTest(host)
{
    private static readonly string RotatePath = $"/admin/api/integrations/{TestData.IntegrationA}/client-secret";

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Rotation_without_the_admin_key_answers_401_and_does_not_rotate(string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, RotatePath) { Content = Json("{}") };
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(Conversations.Integrations.IssueCalls);
    }

    [Fact]
    public async Task With_no_admin_key_configured_the_admin_api_refuses_everything()
    {
        await using var edge = Host.Create(new Dictionary<string, string?> { ["Edge:Admin:ApiKey"] = string.Empty });
        using var client = edge.CreateClient();

        using var response = await RotateAsync(client, """{}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_bearer_token_of_cxone_does_not_open_the_admin_api()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, RotatePath, "{}", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Rotation_asks_conversations_for_a_new_secret_with_the_overlap_and_shows_it_once_uncached()
    {
        using var response = await RotateAsync(Client, """{"previousSecretOverlapMinutes": 90}""", idempotencyKey: "rotate-1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var body = await JsonOf(response);
        Assert.Equal(TestData.ClientA, body.GetProperty("clientId").GetString());
        Assert.StartsWith("rotated-", body.GetProperty("clientSecret").GetString(), StringComparison.Ordinal);
        Assert.True(body.GetProperty("previousSecretValidUntil").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(80));
        var call = Assert.Single(Conversations.Integrations.IssueCalls);
        Assert.Equal(TestData.IntegrationA, call.IntegrationId);
        Assert.Equal(TimeSpan.FromMinutes(90), call.PreviousSecretOverlap.ToTimeSpan());
        Assert.Equal("admin:rotate:rotate-1", call.IdempotencyKey);
    }

    [Fact]
    public async Task Rotation_without_a_body_uses_the_default_overlap_of_a_day()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, RotatePath);
        request.Headers.Add("X-Api-Key", TestData.AdminApiKey);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TimeSpan.FromHours(24), Assert.Single(Conversations.Integrations.IssueCalls).PreviousSecretOverlap.ToTimeSpan());
    }

    [Fact]
    public async Task During_the_overlap_old_and_new_secrets_both_get_tokens_and_after_it_only_the_new_one()
    {
        using var rotation = await RotateAsync(Client, """{"previousSecretOverlapMinutes": 60}""");
        var newSecret = (await rotation.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("clientSecret").GetString()!;

        using var oldDuringOverlap = await RequestTokenAsync(Client, TestData.ClientA, TestData.SecretA);
        using var newDuringOverlap = await RequestTokenAsync(Client, TestData.ClientA, newSecret);
        Conversations.Integrations.Revoke(TestData.SecretA);
        using var oldAfterOverlap = await RequestTokenAsync(Client, TestData.ClientA, TestData.SecretA);
        using var newAfterOverlap = await RequestTokenAsync(Client, TestData.ClientA, newSecret);

        Assert.Equal(HttpStatusCode.OK, oldDuringOverlap.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newDuringOverlap.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldAfterOverlap.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newAfterOverlap.StatusCode);
        var token = TokenEndpointTests.JwtPayload((await JsonOf(newAfterOverlap)).GetProperty("access_token").GetString()!);
        Assert.Equal(TestData.IntegrationA, token.GetProperty("byoc_integration_id").GetString());
    }

    [Fact]
    public async Task Rotating_an_unknown_integration_answers_404_problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/api/integrations/nope/client-secret") { Content = Json("{}") };
        request.Headers.Add("X-Api-Key", TestData.AdminApiKey);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Rotation_while_conversations_is_unavailable_answers_503_with_retry_after()
    {
        Conversations.Integrations.Behaviour.FailWith = Grpc.Core.StatusCode.Unavailable;

        using var response = await RotateAsync(Client, "{}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    private static Task<HttpResponseMessage> RotateAsync(HttpClient client, string body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, RotatePath) { Content = Json(body) };
        request.Headers.Add("X-Api-Key", TestData.AdminApiKey);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request);
    }

    [Fact]
    public async Task The_admin_api_lists_the_points_of_contact_cxone_refused_with_its_answer()
    {
        Conversations.Operations.Refusals.Enqueue(new Byoc.Conversations.V1.ChannelRefusal
        {
            ChannelId = "acme-1", IntegrationId = TestData.IntegrationA, StatusCode = 400, Body = """{"error":"unknown field"}""",
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/api/channel-refusals");
        request.Headers.Add("X-Api-Key", TestData.AdminApiKey);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var refusal = Assert.Single((await JsonOf(response)).GetProperty("refusals").EnumerateArray());
        Assert.Equal(("acme-1", TestData.IntegrationA, 400), (refusal.GetProperty("channelId").GetString(), refusal.GetProperty("integrationId").GetString(), refusal.GetProperty("statusCode").GetInt32()));
        Assert.Contains("unknown field", refusal.GetProperty("body").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_channel_refusals_need_the_admin_key()
    {
        using var response = await Client.GetAsync(new Uri("/admin/api/channel-refusals", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

public sealed class SecretRevocationTests(EdgeHost host) : EdgeTest(host)
{
    private const string OutboundBody = """{"messageContent": {"type": "TEXT", "payload": {"text": "hi"}}}""";

    [Fact]
    public async Task Revoking_the_previous_secret_makes_a_token_already_issued_to_it_answer_401()
    {
        var oldToken = await TokenAsync(Client);
        using var before = await PostAsync(Client, $"/2.0/channel/{TestData.ChannelA}/outbound", OutboundBody, oldToken);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        using var rotated = await Admin("client-secret", """{"previousSecretOverlapMinutes": 60}""");
        var newSecret = (await JsonOf(rotated)).GetProperty("clientSecret").GetString()!;
        using var duringOverlap = await PostAsync(Client, $"/2.0/channel/{TestData.ChannelA}/outbound", OutboundBody, oldToken);
        Assert.Equal(HttpStatusCode.OK, duringOverlap.StatusCode);

        using var revoked = await Admin("client-secret/revoke-previous", "{}");

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(1, (await JsonOf(revoked)).GetProperty("currentGeneration").GetInt64());
        using var after = await PostAsync(Client, $"/2.0/channel/{TestData.ChannelA}/outbound", OutboundBody, oldToken);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("Bearer", after.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var newToken = await TokenAsync(Client, TestData.ClientA, newSecret);
        Assert.Equal("1", TokenEndpointTests.JwtPayload(newToken).GetProperty("byoc_secret_generation").GetString());
        using var withNew = await PostAsync(Client, $"/2.0/channel/{TestData.ChannelA}/outbound", OutboundBody, newToken);
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
    }

    [Fact]
    public async Task A_token_of_another_integration_is_not_affected_by_a_revoke()
    {
        var tokenB = await TokenAsync(Client, TestData.ClientB, TestData.SecretB);
        using var rotated = await Admin("client-secret", """{"previousSecretOverlapMinutes": 60}""");
        using var revoked = await Admin("client-secret/revoke-previous", "{}");

        using var response = await PostAsync(Client, $"/2.0/channel/{TestData.ChannelB}/outbound", OutboundBody, tokenB);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<HttpResponseMessage> Admin(string path, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/api/integrations/{TestData.IntegrationA}/{path}") { Content = Json(json) };
        request.Headers.Add("X-Api-Key", TestData.AdminApiKey);
        return Client.SendAsync(request);
    }
}
