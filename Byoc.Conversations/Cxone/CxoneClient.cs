using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Byoc.Conversations.Registry;

namespace Byoc.Conversations.Cxone;

/// <summary>
/// The Digital API calls Byoc makes (cxone-contract §3.2–§3.5). Every call carries the integration's cached token;
/// a 401 refreshes it and retries once. Answers are classified (<see cref="CxoneResult"/>); retrying is the
/// caller's decision, because only the caller knows whether it may wait (a pipeline keeping a thread's order) or not.
/// </summary>
public sealed class CxoneClient(IHttpClientFactory httpClients, CxoneTokens tokens, CxoneDiscovery discovery, CxoneAuthCircuit? authCircuit = null)
{
    public const string HttpClientName = "cxone";

    public Task<CxoneResult> CreateMessageAsync(Integration integration, string channelId, JsonObject message, CancellationToken cancellationToken) =>
        SendAsync(integration, HttpMethod.Post, $"channels/{Uri.EscapeDataString(channelId)}/messages", message, cancellationToken);

    /// <summary>The same, with the message already serialized (as the inbound queue holds it): sent as it is.</summary>
    public Task<CxoneResult> CreateMessageAsync(Integration integration, string channelId, string messageJson, CancellationToken cancellationToken) =>
        SendAsync(integration, HttpMethod.Post, $"channels/{Uri.EscapeDataString(channelId)}/messages", messageJson, cancellationToken);

    public Task<CxoneResult> UpdateStatusAsync(Integration integration, string channelId, string messageId, JsonObject status, CancellationToken cancellationToken) =>
        SendAsync(integration, HttpMethod.Put, $"channels/{Uri.EscapeDataString(channelId)}/messages/{Uri.EscapeDataString(messageId)}/status", status, cancellationToken);

    public Task<CxoneResult> SendSenderActionAsync(Integration integration, string channelId, string threadId, string action, CancellationToken cancellationToken) =>
        SendAsync(integration, HttpMethod.Post, $"channels/{Uri.EscapeDataString(channelId)}/threads/{Uri.EscapeDataString(threadId)}/sender-actions", new JsonObject { ["action"] = action }, cancellationToken);

    public Task<CxoneResult> CloseThreadAsync(Integration integration, string channelId, string threadId, CancellationToken cancellationToken) =>
        SendAsync(integration, HttpMethod.Put, $"channels/{Uri.EscapeDataString(channelId)}/threads/{Uri.EscapeDataString(threadId)}", new JsonObject { ["canAddMoreMessages"] = false }, cancellationToken);

    public Task<CxoneResult> UpsertChannelAsync(Integration integration, JsonObject channel, CancellationToken cancellationToken) =>
        SendAsync(integration, HttpMethod.Post, "channels", channel, cancellationToken);

    public Task<CxoneResult> ListChannelsAsync(Integration integration, CancellationToken cancellationToken) =>
        SendAsync(integration, HttpMethod.Get, "channels", (string?)null, cancellationToken);

    public Task<CxoneResult> DeleteChannelAsync(Integration integration, string channelId, CancellationToken cancellationToken) =>
        SendAsync(integration, HttpMethod.Delete, $"channels/{Uri.EscapeDataString(channelId)}", (string?)null, cancellationToken);

    /// <summary>Verifies the one-time token of a settings-page opening (no bearer: the token is the credential).</summary>
    public async Task<CxoneResult> VerifyOneTimeTokenAsync(Integration integration, int brandId, int userId, string token, CancellationToken cancellationToken)
    {
        var baseUrl = await discovery.DigitalApiBaseAsync(integration, cancellationToken);
        var body = new JsonObject { ["brandId"] = brandId, ["userId"] = userId, ["token"] = token, ["purpose"] = "channel-integration" };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/one-time-token/verification") { Content = Json(body) };
        return await SendOnceAsync(request, cancellationToken);
    }

    private Task<CxoneResult> SendAsync(Integration integration, HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken) =>
        SendAsync(integration, method, path, body?.ToJsonString(JsonSerializerOptions.Web), cancellationToken);

    private async Task<CxoneResult> SendAsync(Integration integration, HttpMethod method, string path, string? body, CancellationToken cancellationToken)
    {
        string baseUrl;
        string token;
        try
        {
            baseUrl = await discovery.DigitalApiBaseAsync(integration, cancellationToken);
        }
        catch (CxoneDiscoveryException e) when (e.IsConfigurationError)
        {
            return new CxoneResult(CxoneOutcome.Rejected, 0, e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or CxoneDiscoveryException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return CxoneResult.Failed(e.Message);
        }

        if (authCircuit?.OpenFor(integration.Id) is { } openFor)
        {
            return new CxoneResult(CxoneOutcome.Retryable, 0, $"CXone refused the access key repeatedly; auth not tried again for {openFor.TotalSeconds:0} s", openFor);
        }

        try
        {
            token = await GetTokenAsync(integration, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or CxoneAuthException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return CxoneResult.Failed(e.Message);
        }

        var result = await SendOnceAsync(Request(method, $"{baseUrl}/{path}", body, token), cancellationToken);
        if (result.StatusCode != (int)HttpStatusCode.Unauthorized)
        {
            return result;
        }

        // CXone's tokens can end before their announced expiry: fetch a new one and try once more.
        await tokens.InvalidateAsync(integration, token);
        try
        {
            token = await GetTokenAsync(integration, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or CxoneAuthException)
        {
            return CxoneResult.Failed(e.Message);
        }

        return await SendOnceAsync(Request(method, $"{baseUrl}/{path}", body, token), cancellationToken);
    }

    private async Task<string> GetTokenAsync(Integration integration, CancellationToken cancellationToken)
    {
        try
        {
            var token = await tokens.GetAsync(integration, cancellationToken);
            authCircuit?.Succeeded(integration.Id);
            return token;
        }
        catch (CxoneAuthException)
        {
            authCircuit?.Refused(integration.Id);
            throw;
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, string? body, string token)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return request;
    }

    private static StringContent Json(JsonObject body) =>
        new(body.ToJsonString(JsonSerializerOptions.Web), Encoding.UTF8, "application/json");

    private async Task<CxoneResult> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            try
            {
                using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var status = (int)response.StatusCode;
                return status switch
                {
                    >= 200 and < 300 => new CxoneResult(CxoneOutcome.Accepted, status, body),
                    429 or >= 500 => new CxoneResult(CxoneOutcome.Retryable, status, body, RetryAfter(response)),
                    408 => new CxoneResult(CxoneOutcome.Retryable, status, body),
                    _ => new CxoneResult(CxoneOutcome.Rejected, status, body),
                };
            }
            catch (HttpRequestException e)
            {
                return CxoneResult.Failed($"connection failed: {e.Message}");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return CxoneResult.Failed("timed out");
            }
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - DateTimeOffset.UtcNow : null;
    }
}
