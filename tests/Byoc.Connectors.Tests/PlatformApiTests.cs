extern alias sdk;
using System.Net;
using sdk::Byoc.Connectors.Sdk;

namespace Byoc.Connectors.Tests;

/// <summary>The SDK's REST calls to a platform, against a handler that answers what each test needs.</summary>
public sealed class PlatformApiTests
{
    [Fact]
    public async Task A_successful_answer_is_returned_and_the_bearer_token_is_sent()
    {
        HttpRequestMessage? seen = null;
        using var http = Client(request =>
        {
            seen = request;
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"id":"1"}""") };
        });

        using var response = await new PlatformApi(http, "Acme", PlatformApi.Bearer("t0ken")).GetAsync("me", CancellationToken.None);

        Assert.Equal("""{"id":"1"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("Bearer t0ken", seen?.Headers.Authorization?.ToString());
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "Acme refused the credentials (401)")]
    [InlineData(HttpStatusCode.Forbidden, "Acme refused it (403): nope")]
    [InlineData(HttpStatusCode.NotFound, "Acme refused it (404): nope")]
    public async Task A_4xx_is_a_refusal_for_good_quoting_the_platform_but_never_the_url(HttpStatusCode status, string expected)
    {
        using var http = Client(_ => new HttpResponseMessage(status) { Content = new StringContent("nope") });

        var refused = await Assert.ThrowsAsync<PlatformRejectedException>(() => new PlatformApi(http, "Acme").GetAsync("bot123:SECRET/me", CancellationToken.None));

        Assert.StartsWith(expected, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_answer_is_quoted_short_on_one_line()
    {
        using var http = Client(_ => new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("bad\n" + new string('x', 1000)) });

        var refused = await Assert.ThrowsAsync<PlatformRejectedException>(() => new PlatformApi(http, "Acme").GetAsync("x", CancellationToken.None));

        Assert.DoesNotContain('\n', refused.Message);
        Assert.True(refused.Message.Length < PlatformApi.MaxDetailLength + 40, refused.Message);
    }

    [Fact]
    public async Task A_429_is_unavailable_with_the_platforms_retry_after_or_one_second()
    {
        using var http = Client(request => request.RequestUri!.AbsolutePath.EndsWith("/told", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new(TimeSpan.FromSeconds(7)) } }
            : new HttpResponseMessage(HttpStatusCode.TooManyRequests));
        var api = new PlatformApi(http, "Acme");

        var told = await Assert.ThrowsAsync<PlatformUnavailableException>(() => api.GetAsync("told", CancellationToken.None));
        var untold = await Assert.ThrowsAsync<PlatformUnavailableException>(() => api.GetAsync("untold", CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(7), told.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(1), untold.RetryAfter);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    public async Task A_5xx_or_408_is_unavailable_without_a_retry_after(HttpStatusCode status)
    {
        using var http = Client(_ => new HttpResponseMessage(status));

        var unavailable = await Assert.ThrowsAsync<PlatformUnavailableException>(() => new PlatformApi(http, "Acme").GetAsync("x", CancellationToken.None));

        Assert.Null(unavailable.RetryAfter);
    }

    [Fact]
    public async Task A_platform_that_refuses_the_connection_provably_never_got_the_request()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        var unavailable = await Assert.ThrowsAsync<PlatformUnavailableException>(() => new PlatformApi(http, "Acme").PostAsync("send", new StringContent("hi"), CancellationToken.None));

        Assert.True(unavailable.NotSent);
    }

    [Fact]
    public async Task A_connection_reset_after_the_request_was_sent_is_an_unknown_outcome()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var platform = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[4096];
            var read = 0;
            // Read the whole request (its body "hi" ends it), then reset instead of answering.
            while (!System.Text.Encoding.ASCII.GetString(buffer, 0, read).EndsWith("hi", StringComparison.Ordinal))
            {
                read += await socket.ReceiveAsync(buffer.AsMemory(read));
            }

            socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            socket.Close();
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/") };

        var unavailable = await Assert.ThrowsAsync<PlatformUnavailableException>(() => new PlatformApi(http, "Acme").PostAsync("send", new StringContent("hi"), CancellationToken.None));
        await platform;

        Assert.False(unavailable.NotSent);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, false)]
    [InlineData(HttpStatusCode.BadGateway, false)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    public async Task Only_a_throttle_says_the_platform_did_not_take_it_a_5xx_leaves_the_outcome_unknown(HttpStatusCode status, bool notSent)
    {
        using var http = Client(_ => new HttpResponseMessage(status));

        var unavailable = await Assert.ThrowsAsync<PlatformUnavailableException>(() => new PlatformApi(http, "Acme").PostAsync("send", new StringContent("hi"), CancellationToken.None));

        Assert.Equal(notSent, unavailable.NotSent);
    }

    [Fact]
    public async Task A_503_with_Retry_After_says_the_platform_did_not_take_it_and_when_to_send_it_again()
    {
        using var http = Client(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Headers = { RetryAfter = new(TimeSpan.FromSeconds(2)) } });

        var unavailable = await Assert.ThrowsAsync<PlatformUnavailableException>(() => new PlatformApi(http, "Acme").PostAsync("send", new StringContent("hi"), CancellationToken.None));

        Assert.True(unavailable.NotSent);
        Assert.Equal(TimeSpan.FromSeconds(2), unavailable.RetryAfter);
    }

    [Fact]
    public async Task An_unreachable_platform_is_unavailable()
    {
        using var http = Client(_ => throw new HttpRequestException("Connection refused"));

        await Assert.ThrowsAsync<PlatformUnavailableException>(() => new PlatformApi(http, "Acme").CallAsync(HttpMethod.Post, "x", null, CancellationToken.None));
    }

    [Fact]
    public async Task A_platform_that_does_not_answer_within_the_client_timeout_is_unavailable()
    {
        using var http = new HttpClient(new Answering(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        })) { BaseAddress = new Uri("https://platform.example/api/"), Timeout = TimeSpan.FromMilliseconds(50) };

        await Assert.ThrowsAsync<PlatformUnavailableException>(() => new PlatformApi(http, "Acme").GetAsync("x", CancellationToken.None));
    }

    [Fact]
    public async Task The_caller_giving_up_stays_a_cancellation()
    {
        using var http = new HttpClient(new Answering(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        })) { BaseAddress = new Uri("https://platform.example/api/") };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new PlatformApi(http, "Acme").GetAsync("x", cancel.Token));
    }

    [Fact]
    public void A_client_librarys_status_maps_like_an_http_answer()
    {
        Assert.IsType<PlatformRejectedException>(PlatformApi.Failure("Telegram", 403, "Forbidden: bot was blocked by the user"));
        Assert.Equal(TimeSpan.FromSeconds(3), Assert.IsType<PlatformUnavailableException>(PlatformApi.Failure("Telegram", 429, null, TimeSpan.FromSeconds(3))).RetryAfter);
        Assert.IsType<PlatformUnavailableException>(PlatformApi.Failure("Telegram", 502, "Bad Gateway"));
    }

    private static HttpClient Client(Func<HttpRequestMessage, HttpResponseMessage> answer) =>
        new(new Answering((request, _) => Task.FromResult(answer(request)))) { BaseAddress = new Uri("https://platform.example/api/") };

    private sealed class Answering(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => answer(request, cancellationToken);
    }
}
