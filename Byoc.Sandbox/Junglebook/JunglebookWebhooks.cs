using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Byoc.Sandbox.Junglebook;

/// <summary>
/// Sends Junglebook's webhooks to the subscriber of a profile, signed as the platform does:
/// <c>X-Junglebook-Timestamp</c> (unix seconds) and <c>X-Junglebook-Signature: sha256=hex(HMAC-SHA256(secret,
/// "{timestamp}.{body}"))</c>. A failed delivery is retried a few times, as platforms do.
/// </summary>
public sealed partial class JunglebookWebhooks(IHttpClientFactory httpClients, JunglebookNetwork network, TimeProvider time, ILogger<JunglebookWebhooks> logger)
{
    public const string HttpClientName = "junglebook-webhooks";

    public Task<int> MessageAsync(JunglebookThread thread, JunglebookPost post) => SendAsync(thread.Profile, new JsonObject
    {
        ["type"] = "message",
        ["profile"] = thread.Profile,
        ["message"] = new JsonObject
        {
            ["id"] = post.Id,
            ["threadId"] = thread.Id,
            ["threadTitle"] = thread.Title,
            ["public"] = thread.Public,
            ["author"] = Author(post.AuthorId),
            ["text"] = post.Text,
            ["attachments"] = new JsonArray([.. post.Attachments.Select(a => (JsonNode)new JsonObject { ["name"] = a.Name, ["url"] = a.Url })]),
            ["createdAt"] = post.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        },
    });

    public Task<int> ReceiptAsync(string profile, JunglebookPost post, string status) => SendAsync(profile, new JsonObject
    {
        ["type"] = "receipt",
        ["profile"] = profile,
        ["messageId"] = post.Id,
        ["status"] = status,
        ["at"] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
    });

    public Task<int> TypingAsync(JunglebookThread thread, bool on) => SendAsync(thread.Profile, new JsonObject
    {
        ["type"] = "typing",
        ["profile"] = thread.Profile,
        ["threadId"] = thread.Id,
        ["userId"] = thread.CustomerId,
        ["on"] = on,
    });

    /// <summary>Signs and posts; returns the subscriber's final status code (0 when it could not be reached).</summary>
    public async Task<int> SendAsync(string profile, JsonObject payload)
    {
        var secret = network.Options.Profiles[profile].WebhookSecret;
        var body = Encoding.UTF8.GetBytes(payload.ToJsonString(JsonSerializerOptions.Web));
        var status = 0;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
            var signature = Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)).ToLowerInvariant();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{network.Options.WebhookBaseUrl.TrimEnd('/')}/{Uri.EscapeDataString(profile)}")
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
            };
            request.Headers.Add("X-Junglebook-Timestamp", timestamp);
            request.Headers.Add("X-Junglebook-Signature", $"sha256={signature}");
            try
            {
                using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request);
                status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode || status is >= 400 and < 500)
                {
                    break;
                }
            }
            catch (HttpRequestException e)
            {
                LogUnreachable(profile, e.Message);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time);
        }

        return status;
    }

    private JsonObject Author(string userId)
    {
        var user = network.User(userId);
        return new JsonObject { ["id"] = userId, ["name"] = user?.Name ?? userId, ["handle"] = user?.Handle, ["avatar"] = user?.Avatar };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The webhook subscriber of profile {Profile} is unreachable: {Reason}")]
    private partial void LogUnreachable(string profile, string reason);
}
