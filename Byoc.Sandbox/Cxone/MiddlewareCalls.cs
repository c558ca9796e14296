using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Byoc.Sandbox.Cxone;

/// <summary>What the middleware answered to one call CXone made, as the agent console shows it.</summary>
public sealed record MiddlewareAnswer(int Status, JsonNode? Body, IReadOnlyList<string> Trace);

/// <summary>
/// CXone calling the middleware, the way CXone does (cxone-contract §2): every callback is sent with the token it
/// has; only after a 401 does it ask the token endpoint, then it retries once. Replies go to the legacy posts API or
/// to the DFO 3.0 outbound API depending on the integration's checkbox.
/// </summary>
public sealed class MiddlewareCalls(IHttpClientFactory httpClients, IOptionsMonitor<CxoneIntegrationOptions> integration, CxoneTenant tenant) : IDisposable
{
    public const string HttpClientName = "cxone-to-middleware";
    private readonly SemaphoreSlim _tokenGate = new(1, 1);
    private string? _token;

    private bool? _useDfo3Outbound;

    private CxoneIntegrationOptions Integration => integration.CurrentValue;

    /// <summary>The integration form's checkbox "Use DFO 3.0 Outbound API for replies", as it is now.</summary>
    public bool UseDfo3Outbound
    {
        get => _useDfo3Outbound ?? Integration.UseDfo3Outbound;
        set => _useDfo3Outbound = value;
    }

    public void Dispose() => _tokenGate.Dispose();

    /// <summary>Forgets the middleware's token, as after a restart of CXone's side: the next call goes without one.</summary>
    public void ForgetToken() => _token = null;

    /// <summary>An agent's reply in an existing thread (or, with no thread, an agent-initiated message).</summary>
    public Task<MiddlewareAnswer> ReplyAsync(string channelId, string? threadId, string text, IReadOnlyList<(string Id, string Name)> recipients)
    {
        var brand = Brand();
        if (!UseDfo3Outbound && threadId is not null)
        {
            var legacy = new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["post"] = new JsonObject { ["channelId"] = channelId, ["idOnExternalPlatform"] = threadId },
                ["title"] = "",
                ["content"] = text,
                ["messageContent"] = new JsonObject { ["type"] = "TEXT", ["payload"] = new JsonObject { ["text"] = text } },
            };
            return CallAsync($"1.0/posts/{Uri.EscapeDataString(threadId)}/messages", legacy);
        }

        var outbound = new JsonObject
        {
            ["brand"] = brand,
            ["thread"] = threadId is null ? null : new JsonObject { ["idOnExternalPlatform"] = threadId },
            ["messageContent"] = new JsonObject { ["type"] = "TEXT", ["payload"] = new JsonObject { ["text"] = text } },
            ["endUserRecipients"] = Recipients(recipients),
            ["attachments"] = new JsonArray(),
            ["isReplyToSpecificMessage"] = false,
        };
        return CallAsync($"2.0/channel/{Uri.EscapeDataString(channelId)}/outbound", outbound);
    }

    /// <summary>Asked before an agent-initiated message; CXone sends it only on 200.</summary>
    public Task<MiddlewareAnswer> ValidateRecipientsAsync(string channelId, IReadOnlyList<(string Id, string Name)> recipients) =>
        CallAsync($"1.0/channel/{Uri.EscapeDataString(channelId)}/recipients/validation", new JsonObject { ["endUserRecipients"] = Recipients(recipients) });

    public Task<MiddlewareAnswer> TypingAsync(string channelId, string threadId, bool on) =>
        CallAsync($"1.0/channel/{Uri.EscapeDataString(channelId)}/thread/{Uri.EscapeDataString(threadId)}/sender-action", new JsonObject
        {
            ["brand"] = Brand(),
            ["senderAction"] = new JsonObject { ["action"] = on ? "isTypingOn" : "isTypingOff" },
            ["authorUser"] = new JsonObject { ["id"] = 42, ["firstName"] = "Agent", ["surname"] = "Smith" },
        });

    private async Task<MiddlewareAnswer> CallAsync(string path, JsonObject body)
    {
        var trace = new List<string>();
        var (status, answer) = await SendAsync(path, body, _token, trace);
        if (status == (int)HttpStatusCode.Unauthorized)
        {
            // As CXone does: only a 401 makes it fetch a token, and then it tries once more.
            var token = await FetchTokenAsync(trace);
            if (token is null)
            {
                return new MiddlewareAnswer(status, answer, trace);
            }

            (status, answer) = await SendAsync(path, body, token, trace);
        }

        return new MiddlewareAnswer(status, answer, trace);
    }

    private async Task<(int Status, JsonNode? Body)> SendAsync(string path, JsonObject body, string? token, List<string> trace)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Integration.BoxUrl.TrimEnd('/')}/{path}")
        {
            Content = new StringContent(body.ToJsonString(JsonSerializerOptions.Web), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            trace.Add($"POST /{path} {(token is null ? "without a token" : "with a token")} → {(int)response.StatusCode}");
            return ((int)response.StatusCode, Parse(text));
        }
        catch (HttpRequestException e)
        {
            trace.Add($"POST /{path} → unreachable ({e.Message})");
            return (0, null);
        }
    }

    private async Task<string?> FetchTokenAsync(List<string> trace)
    {
        await _tokenGate.WaitAsync();
        try
        {
            var url = string.IsNullOrEmpty(Integration.AuthorizationUrl) ? $"{Integration.BoxUrl.TrimEnd('/')}/1.0/token" : Integration.AuthorizationUrl;
            using var request = new HttpRequestMessage(HttpMethod.Post, url);
            switch (Integration.TokenRequestStyle)
            {
                case "form":
                    request.Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", Integration.ClientId), new("client_secret", Integration.ClientSecret)]);
                    break;
                case "basic":
                    request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(Integration.ClientId)}:{Uri.EscapeDataString(Integration.ClientSecret)}")));
                    request.Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]);
                    break;
                default:
                    request.Content = new StringContent(new JsonObject { ["grant_type"] = "client_credentials", ["client_id"] = Integration.ClientId, ["client_secret"] = Integration.ClientSecret }.ToJsonString(), Encoding.UTF8, "application/json");
                    break;
            }

            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request);
            trace.Add($"POST {new Uri(url).AbsolutePath} ({Integration.TokenRequestStyle}) → {(int)response.StatusCode}");
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            _token = Parse(await response.Content.ReadAsStringAsync())?["access_token"]?.GetValue<string>();
            return _token;
        }
        catch (HttpRequestException e)
        {
            trace.Add($"token endpoint unreachable ({e.Message})");
            return null;
        }
        finally
        {
            _tokenGate.Release();
        }
    }

    private JsonObject Brand() => new()
    {
        ["id"] = tenant.Options.BrandId,
        ["friendlyName"] = "Sandbox Brand",
        ["tenantId"] = tenant.Options.TenantId,
        ["businessUnitId"] = tenant.Options.BusinessUnitId,
    };

    private static JsonArray Recipients(IReadOnlyList<(string Id, string Name)> recipients) =>
        new([.. recipients.Select((r, i) => (JsonNode)new JsonObject { ["idOnExternalPlatform"] = r.Id, ["name"] = r.Name, ["isPrimary"] = i == 0, ["isPrivate"] = false })]);

    private static JsonNode? Parse(string text)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
