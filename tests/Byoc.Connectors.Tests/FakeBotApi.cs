using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Byoc.Connectors.Tests;

/// <summary>
/// The Bot API endpoints the Telegram connector uses, over real HTTP, answering as Telegram does:
/// <c>{"ok":true,"result":...}</c> or <c>{"ok":false,"error_code":...,"description":...}</c>.
/// </summary>
public sealed class FakeBotApi : IAsyncDisposable
{
    public const string Token = "123456:TEST-token";
    /// <summary>A bot whose getMe never answers (until the caller gives up).</summary>
    public const string HangingToken = "777777:HANGING-token";
    public const long RateLimitedChat = 429;
    public const long BlockedChat = 403;
    /// <summary>Telegram takes a send into this chat but answers what the client library cannot read.</summary>
    public const long GarbledChat = 202;
    /// <summary>A photo whose URL contains this is throttled (429) the first time it is sent.</summary>
    public const string ThrottledOnce = "throttled-once";
    private readonly ConcurrentDictionary<string, bool> _throttled = new();
    public static readonly byte[] PhotoBytes = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];
    private LoopbackServer? _server;
    private int _nextMessageId = 100;

    public ConcurrentQueue<(string Token, string Method, JsonObject Parameters, DateTimeOffset At)> Calls { get; } = new();

    public Uri Url => _server!.Url;

    public IReadOnlyList<JsonObject> CallsOf(string method, long chat) =>
        [.. Calls.Where(c => c.Method == method && c.Parameters["chat_id"]?.ToString() == chat.ToString()).Select(c => c.Parameters)];

    public async Task StartAsync() =>
        _server = await LoopbackServer.StartAsync(HttpProtocols.Http1, _ => { }, app =>
        {
            app.MapPost("/bot{token}/{method}", AnswerAsync);
            app.MapGet("/file/bot{token}/{**path}", (string token, string path) =>
                token == Token && path == "photos/file_7.jpg" ? Results.Bytes(PhotoBytes, "application/octet-stream") : Results.NotFound());
        });

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static IResult Ok(object result) => Results.Json(new { ok = true, result });

    private static IResult Error(int code, string description, object? parameters = null) =>
        Results.Json(new { ok = false, error_code = code, description, parameters }, statusCode: code);

    private async Task<IResult> AnswerAsync(string token, string method, HttpRequest request)
    {
        // Parameters come as JSON, as a form, or not at all (getMe).
        var parameters = request.HasFormContentType
            ? new JsonObject((await request.ReadFormAsync()).Select(f => KeyValuePair.Create(f.Key, (JsonNode?)JsonValue.Create(f.Value.ToString()))))
            : await new StreamReader(request.Body).ReadToEndAsync() is { Length: > 0 } json ? JsonNode.Parse(json)!.AsObject() : [];
        Calls.Enqueue((token, method, parameters, DateTimeOffset.UtcNow));
        if (token == HangingToken)
        {
            await Task.Delay(Timeout.Infinite, request.HttpContext.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return Results.Empty;
        }

        if (token != Token)
        {
            return Error(401, "Unauthorized");
        }

        var chat = long.TryParse(parameters["chat_id"]?.ToString(), out var id) ? id : 0;
        var privateChat = new { id = chat, type = "private", first_name = "Jane" };
        return (method, chat) switch
        {
            ("getMe", _) => Ok(new { id = 123456, is_bot = true, first_name = "Byoc test bot", username = "byoc_test_bot" }),
            (_, RateLimitedChat) => Error(429, "Too Many Requests: retry after 7", new { retry_after = 7 }),
            (_, BlockedChat) => Error(403, "Forbidden: bot was blocked by the user"),
            ("getChat", > 0) => Ok(new { privateChat.id, privateChat.type, privateChat.first_name, accent_color_id = 0, max_reaction_count = 11, accepted_gift_types = new { unlimited_gifts = false, limited_gifts = false, unique_gifts = false, premium_subscription = false } }),
            ("getChat", _) => Error(400, "Bad Request: chat not found"),
            ("getFile", _) when parameters["file_id"]?.ToString() == "photo-big" => Ok(new { file_id = "photo-big", file_unique_id = "u7", file_size = PhotoBytes.Length, file_path = "photos/file_7.jpg" }),
            ("getFile", _) => Error(400, "Bad Request: invalid file_id"),
            ("sendChatAction", _) => Ok(true),
            ("sendMessage", GarbledChat) => Ok("not a message"),
            ("sendPhoto", _) when parameters["photo"]?.ToString() is { } url && url.Contains(ThrottledOnce, StringComparison.Ordinal) && _throttled.TryAdd(url, true) =>
                Error(429, "Too Many Requests: retry after 3", new { retry_after = 3 }),
            ("sendMessage" or "sendPhoto" or "sendDocument", _) => Ok(new
            {
                message_id = Interlocked.Increment(ref _nextMessageId),
                date = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                chat = privateChat,
                text = parameters["text"]?.ToString(),
            }),
            _ => Error(404, "Not Found"),
        };
    }
}
