using System.Net;
using System.Net.Http.Headers;
using Polly;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// Calls to a platform's REST API, with its answers turned into the exceptions the connector contract acts on:
/// 429 is <see cref="PlatformUnavailableException"/> with the platform's Retry-After (1 s when it gives none), not
/// sent, and so is a 503 that carries a Retry-After; 408 and a platform that could not be connected to (refused, DNS, TLS handshake) are unavailable and not
/// sent; 5xx, timeouts and a connection lost after the request went out are unavailable with an unknown outcome
/// (the platform may have it); other 4xx (401: the credentials) are <see cref="PlatformRejectedException"/>.
/// Details name the platform, the status and the start of its answer, never the request's URL or headers, where
/// credentials travel.
/// </summary>
/// <param name="http">The platform's named client (its base address makes relative URLs work).</param>
/// <param name="platform">The platform's name, as the agent reads it in a failure.</param>
/// <param name="authorization">Set on every request that has none, e.g. <see cref="Bearer"/>.</param>
public sealed class PlatformApi(HttpClient http, string platform, AuthenticationHeaderValue? authorization = null)
{
    /// <summary>How much of a platform's answer a failure quotes: enough to say why, short enough for a timeline.</summary>
    public const int MaxDetailLength = 200;

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    public Task<HttpResponseMessage> GetAsync(string url, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, url, null, cancellationToken);

    public Task<HttpResponseMessage> PostAsync(string url, HttpContent content, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, url, content, cancellationToken);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        return await SendAsync(request, cancellationToken);
    }

    /// <summary>A call where only success matters (a probe, a typing indicator): the answer is read and let go.</summary>
    public async Task CallAsync(HttpMethod method, string url, HttpContent? content, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(method, url, content, cancellationToken);
    }

    /// <summary>Sends <paramref name="request"/>; the answer is returned only when successful (2xx), for the caller to dispose.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Authorization ??= authorization;
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new PlatformUnavailableException($"{platform} could not be reached: {e.Message}", notSent: NeverConnected(e));
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException)
        {
            throw new PlatformUnavailableException($"{platform} is failing: calls are held back for now", notSent: true);
        }
        // A resilience pipeline's timeout, or HttpClient.Timeout: not the caller giving up. The request may have arrived.
        catch (Exception e) when (e is ExecutionRejectedException or TimeoutException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new PlatformUnavailableException($"{platform} did not answer in time");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            throw Failure(platform, (int)response.StatusCode, detail, response.Headers.RetryAfter?.Delta);
        }
    }

    /// <summary>
    /// The exception for a platform's failed answer, for connectors that call the platform through its own client
    /// library and get the status from its exceptions.
    /// </summary>
    public static Exception Failure(string platform, int status, string? detail, TimeSpan? retryAfter = null)
    {
        var quoted = string.IsNullOrWhiteSpace(detail) ? string.Empty : $": {Shorten(detail)}";
        return status switch
        {
            // A throttle and a 408 are answered before the platform takes the request: it never got it.
            (int)HttpStatusCode.TooManyRequests => new PlatformUnavailableException($"{platform} is rate limiting", retryAfter ?? TimeSpan.FromSeconds(1), notSent: true),
            (int)HttpStatusCode.RequestTimeout => new PlatformUnavailableException($"{platform} answered {status}", notSent: true),
            // 503 with Retry-After is the server saying "not now, send it again then" (RFC 9110 §15.6.4): not taken.
            // Without Retry-After a 503 stays unknown, as any 5xx (a proxy in front may answer it after the send).
            (int)HttpStatusCode.ServiceUnavailable when retryAfter is { } wait => new PlatformUnavailableException($"{platform} is unavailable ({status}, Retry-After)", wait, notSent: true),
            // A 5xx may come after the platform acted on it (a proxy's 502 after the send, a crash after the write).
            >= 500 or < 300 => new PlatformUnavailableException($"{platform} answered {status}"),
            (int)HttpStatusCode.Unauthorized => new PlatformRejectedException($"{platform} refused the credentials ({status}){quoted}"),
            _ => new PlatformRejectedException($"{platform} refused it ({status}){quoted}"),
        };
    }

    /// <summary>
    /// Whether a failed call provably never reached the platform: the connection could not be made (refused, no
    /// route, DNS, TLS handshake) or a circuit breaker held it back. A reset or end of stream after the request was
    /// written is not: the platform may have acted on it.
    /// </summary>
    public static bool NeverConnected(Exception? failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }:
                case Polly.CircuitBreaker.BrokenCircuitException:
                case System.Net.Sockets.SocketException
                {
                    SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused or System.Net.Sockets.SocketError.HostNotFound
                        or System.Net.Sockets.SocketError.HostUnreachable or System.Net.Sockets.SocketError.NetworkUnreachable
                        or System.Net.Sockets.SocketError.TryAgain or System.Net.Sockets.SocketError.NoData
                        or System.Net.Sockets.SocketError.AddressNotAvailable,
                }:
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Marks a request the platform may safely get twice (a typing indicator, a lookup): the opted-in retries of
    /// <c>WithIdempotentRetries</c> may send it again after it left. GET, HEAD and OPTIONS are safe already.
    /// </summary>
    public static HttpRequestMessage RetrySafe(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(RetrySafeOption, true);
        return request;
    }

    /// <summary>Whether <paramref name="request"/> may be sent again after it may have reached the platform.</summary>
    public static bool IsRetrySafe(HttpRequestMessage? request) =>
        request is not null && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
            || (request.Options.TryGetValue(RetrySafeOption, out var safe) && safe));

    private static readonly HttpRequestOptionsKey<bool> RetrySafeOption = new("byoc.retry-safe");

    private static string Shorten(string detail)
    {
        var line = detail.ReplaceLineEndings(" ").Trim();
        return line.Length > MaxDetailLength ? line[..(MaxDetailLength - 1)] + "…" : line;
    }
}
