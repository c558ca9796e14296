using System.Net;
using System.Text;
using Byoc.Edge.Tests.Infrastructure;
using Grpc.Core;

namespace Byoc.Edge.Tests;

public sealed class RequestLimitTests(EdgeHost host) : EdgeTest(host)
{
    private static readonly string Path = $"/2.0/channel/{TestData.ChannelA}/outbound";

    [Fact]
    public async Task A_body_over_the_default_one_megabyte_answers_413_problem()
    {
        var token = await TokenAsync(Client);
        var text = new string('a', 1024 * 1024);

        using var response = await PostAsync(Client, Path, $$"""{"messageContent": {"payload": {"text": "{{text}}"} } }""", token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(Conversations.Outbound.DeliverCalls);
    }

    [Fact]
    public async Task The_body_size_limit_is_configurable()
    {
        await using var small = Host.Create(new Dictionary<string, string?> { ["Edge:MaxRequestBodyBytes"] = "2048" });
        using var client = small.CreateClient();
        var token = await TokenAsync(client);

        using var fits = await PostAsync(client, Path, $$"""{"messageContent": {"payload": {"text": "{{new string('a', 1500)}}"} } }""", token);
        using var tooLarge = await PostAsync(client, Path, $$"""{"messageContent": {"payload": {"text": "{{new string('a', 2100)}}"} } }""", token);

        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    public async Task A_body_that_is_not_json_answers_415_problem(string contentType)
    {
        var token = await TokenAsync(Client);
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent("text=hi", Encoding.UTF8, contentType) };
        request.Headers.Authorization = new("Bearer", token);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Malformed_json_answers_400_problem_naming_line_position_and_path()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path, "{\n  \"thread\": {\"idOnExternalPlatform\": \"t-1\",}\n}", token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonOf(response);
        Assert.Equal(2, problem.GetProperty("line").GetInt32());
        Assert.True(problem.GetProperty("position").GetInt32() > 1);
        Assert.Contains("thread", problem.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.Contains("line 2", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_answers_400_problem_naming_its_path()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path, """{"endUserRecipients": [{"idOnExternalPlatform": "u", "isPrimary": "very"}]}""", token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("$.endUserRecipients[0].isPrimary", (await JsonOf(response)).GetProperty("path").GetString());
    }

    public static TheoryData<StatusCode, HttpStatusCode> GrpcToHttp => new()
    {
        { StatusCode.InvalidArgument, HttpStatusCode.BadRequest },
        { StatusCode.NotFound, HttpStatusCode.NotFound },
        { StatusCode.PermissionDenied, HttpStatusCode.NotFound },
        { StatusCode.AlreadyExists, HttpStatusCode.Conflict },
        { StatusCode.FailedPrecondition, HttpStatusCode.Conflict },
        { StatusCode.ResourceExhausted, HttpStatusCode.TooManyRequests },
        { StatusCode.Unavailable, HttpStatusCode.ServiceUnavailable },
        { StatusCode.DeadlineExceeded, HttpStatusCode.GatewayTimeout },
        { StatusCode.Internal, HttpStatusCode.ServiceUnavailable },
    };

    [Theory]
    [MemberData(nameof(GrpcToHttp))]
    public async Task A_grpc_error_from_conversations_becomes_the_http_status_of_the_convention_as_problem_details(StatusCode grpc, HttpStatusCode http)
    {
        var token = await TokenAsync(Client);
        Conversations.Outbound.Behaviour.FailWith = grpc;

        using var response = await PostAsync(Client, Path, """{"messageContent": {"payload": {"text": "hi"} } }""", token);

        Assert.Equal(http, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("RpcException", body, StringComparison.Ordinal);
        if (http is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
        {
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        }
    }

    [Theory]
    [InlineData("validation")]
    [InlineData("legacy")]
    public async Task Conversations_unavailable_answers_503_with_retry_after_on_every_callback_but_typing(string operation)
    {
        var token = await TokenAsync(Client);
        Conversations.Outbound.Behaviour.FailWith = StatusCode.Unavailable;
        var (path, body) = operation switch
        {
            "validation" => ($"/1.0/channel/{TestData.ChannelA}/recipients/validation", """{"endUserRecipients": [{"idOnExternalPlatform": "+1555"}]}"""),
            _ => ("/1.0/posts/p/messages", """{"content": "hi"}"""),
        };

        using var response = await PostAsync(Client, path, body, token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_conversations_that_never_answers_is_cut_by_the_deadline_and_answers_504()
    {
        // Over real HTTP/2: TestServer cannot cancel a call whose response has not started.
        await using var silent = new FakeConversations(overHttp2: true);
        silent.Reset();
        await using var edge = new EdgeFactory(Host.Redis.ConnectionString, silent,
            new Dictionary<string, string?> { ["Edge:ConversationsDeadline"] = "00:00:00.300" }, null);
        using var client = edge.CreateClient();
        var token = await TokenAsync(client);
        silent.Outbound.Behaviour.NeverAnswer = true;

        var started = System.Diagnostics.Stopwatch.StartNew();
        using var response = await PostAsync(client, Path, """{"messageContent": {"payload": {"text": "hi"} } }""", token);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
        Assert.Single(silent.Outbound.DeliverCalls);
    }
}
