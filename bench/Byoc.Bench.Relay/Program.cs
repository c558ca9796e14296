using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

// The benchmarks' baseline: what a middleware does at the least. A Junglebook webhook has its signature checked and
// is posted straight to the CXone simulator (answered once CXone answered); a DFO 3.0 reply is posted straight to
// Junglebook's API. No queue, no id map, no tokens of its own, no durability: the floor Byoc is compared with.
// Settings: Relay:Sandbox (the sandbox's URL), Relay:Cxone:{AppClientId,AppClientSecret,AccessKey,AccessSecret},
// Relay:Profiles:{profile}:{Token,WebhookSecret}.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var sandbox = new Uri(builder.Configuration["Relay:Sandbox"] ?? throw new InvalidOperationException("Relay:Sandbox is required"));
var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = sandbox };
var cxoneToken = new CxoneToken(http, builder.Configuration.GetSection("Relay:Cxone"));
var profiles = builder.Configuration.GetSection("Relay:Profiles");

var app = builder.Build();

app.MapPost("/hooks/junglebook/{profile}", async (string profile, HttpRequest request) =>
{
    using var buffer = new MemoryStream();
    await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
    var body = buffer.ToArray();
    var secret = profiles[$"{profile}:WebhookSecret"];
    if (secret is null || !Signed(secret, request.Headers["X-Junglebook-Timestamp"].ToString(), request.Headers["X-Junglebook-Signature"].ToString(), body))
    {
        return Results.StatusCode(StatusCodes.Status401Unauthorized);
    }

    var hook = JsonNode.Parse(body)!;
    var message = hook["message"]!;
    var cxoneMessage = new JsonObject
    {
        ["idOnExternalPlatform"] = message["id"]!.GetValue<string>(),
        ["direction"] = "inbound",
        ["createdAtWithMilliseconds"] = DateTimeOffset.Parse(message["createdAt"]!.GetValue<string>(), CultureInfo.InvariantCulture).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
        ["thread"] = new JsonObject { ["idOnExternalPlatform"] = message["threadId"]!.GetValue<string>() },
        ["messageContent"] = new JsonObject { ["type"] = "TEXT", ["payload"] = new JsonObject { ["text"] = message["text"]?.GetValue<string>() } },
        ["authorEndUserIdentity"] = new JsonObject { ["idOnExternalPlatform"] = message["author"]!["id"]!.GetValue<string>(), ["firstName"] = message["author"]!["name"]?.GetValue<string>() },
    };
    var status = await cxoneToken.SendAsync(HttpMethod.Post, $"/dfo/3.0/channels/junglebook-{profile}/messages", cxoneMessage, request.HttpContext.RequestAborted);
    return Results.StatusCode(status is >= 200 and < 300 ? StatusCodes.Status200OK : StatusCodes.Status502BadGateway);
});

app.MapPost("/2.0/channel/{channelId}/outbound", async (string channelId, HttpRequest request) =>
{
    var reply = (await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted))!;
    var profile = channelId.StartsWith("junglebook-", StringComparison.Ordinal) ? channelId["junglebook-".Length..] : channelId;
    using var send = new HttpRequestMessage(HttpMethod.Post, $"/junglebook/api/profiles/{profile}/messages")
    {
        Content = new StringContent(new JsonObject
        {
            ["threadId"] = reply["thread"]?["idOnExternalPlatform"]?.GetValue<string>(),
            ["text"] = reply["messageContent"]?["payload"]?["text"]?.GetValue<string>(),
            ["attachments"] = new JsonArray(),
        }.ToJsonString(), Encoding.UTF8, "application/json"),
    };
    send.Headers.Authorization = new AuthenticationHeaderValue("Bearer", profiles[$"{profile}:Token"]);
    using var response = await http.SendAsync(send, request.HttpContext.RequestAborted);
    if (!response.IsSuccessStatusCode)
    {
        return Results.StatusCode(StatusCodes.Status502BadGateway);
    }

    var sent = (await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(request.HttpContext.RequestAborted), cancellationToken: request.HttpContext.RequestAborted))!;
    return Results.Text(new JsonObject { ["idOnExternalPlatform"] = sent["id"]!.GetValue<string>() }.ToJsonString(), "application/json");
});

app.Run();

static bool Signed(string secret, string timestamp, string signature, byte[] body)
{
    var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
    var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature));
}

/// <summary>The CXone access token (password grant), fetched on first use and again after a 401.</summary>
internal sealed class CxoneToken(HttpClient http, IConfiguration cxone)
{
    private volatile string? _token;

    public async Task<int> SendAsync(HttpMethod method, string path, JsonObject body, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = _token ?? await FetchAsync(cancellationToken);
            using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode != System.Net.HttpStatusCode.Unauthorized || attempt > 0)
            {
                return (int)response.StatusCode;
            }

            _token = null;
        }
    }

    private async Task<string> FetchAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "password"), new("username", cxone["AccessKey"]!), new("password", cxone["AccessSecret"]!)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{cxone["AppClientId"]}:{cxone["AppClientSecret"]}")));
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var answer = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        return _token = answer.RootElement.GetProperty("access_token").GetString()!;
    }
}
