extern alias webhook;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Byoc.Connectors.Tests;

/// <summary>The webhook connector in-process, a fake Conversations, and a real HTTP receiver playing the platform.</summary>
public sealed class WebhookFixture : IAsyncLifetime
{
    public const string Secret = "platform-shared-secret";
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private LoopbackServer? _platform;

    public FakeConversations Conversations { get; } = new();

    public ConnectorHost<webhook::Program> Connector { get; private set; } = null!;

    /// <summary>What the platform received: path, headers, raw body.</summary>
    public ConcurrentQueue<(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)> Received { get; } = new();

    public static Dictionary<string, string> Mapping => new()
    {
        ["webhookSecret"] = Secret,
        ["map.messageId"] = "$.event.id",
        ["map.threadId"] = "$.event.conversation.id",
        ["map.threadName"] = "$.event.conversation['title']",
        ["map.authorId"] = "$.event.from.id",
        ["map.authorName"] = "$.event.from.name",
        ["map.text"] = "$.event.body.text",
        ["map.attachments"] = "$.event.files",
        ["map.attachmentUrl"] = "$.href",
        ["map.attachmentName"] = "$.title",
        ["map.createdAt"] = "$.event.at",
        ["response.messageId"] = "$.result.messageId",
    };

    public IReadOnlyList<(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)> ReceivedAt(string path) => [.. Received.Where(r => r.Path == path)];

    public async Task InitializeAsync()
    {
        _platform = await LoopbackServer.StartAsync(HttpProtocols.Http1, _ => { }, app => app.MapPost("/platform/{scenario}", AnswerAsync));
        string Url(string scenario) => new Uri(_platform.Url, $"/platform/{scenario}").ToString();
        foreach (var scenario in new[] { "ok", "flaky", "flaky-typing", "refuses", "slow", "no-id", "reset" })
        {
            Conversations.AddAccount(scenario, new Dictionary<string, string>(Mapping) { ["outboundUrl"] = Url(scenario) });
        }

        // Nothing listens there: every connection is refused, so the platform provably never gets the message.
        Conversations.AddAccount("closed", new Dictionary<string, string>(Mapping) { ["outboundUrl"] = $"http://127.0.0.1:{ClosedPort()}/platform/closed" });

        Conversations.AddAccount("custom-headers", new Dictionary<string, string>(Mapping)
        {
            ["outboundUrl"] = Url("custom-headers"),
            ["timestampHeader"] = "X-Shop-Time",
            ["signatureHeader"] = "X-Shop-Signature",
        });
        Conversations.AddAccount("pattern", new Dictionary<string, string>(Mapping) { ["outboundUrl"] = Url("ok"), ["recipientPattern"] = @"^\+?[0-9]{6,15}$" });
        Conversations.AddAccount("callback", new Dictionary<string, string>(Mapping) { ["outboundUrl"] = Url("ok"), ["recipientValidationUrl"] = Url("recipients") });
        await Conversations.StartAsync();
        Connector = new ConnectorHost<webhook::Program>(Conversations, new Dictionary<string, string>
        {
            ["Webhook:RetryDelay"] = "00:00:00.020",
            ["Webhook:AttemptTimeout"] = "00:00:00.500",
        });
    }

    public async Task DisposeAsync()
    {
        await Connector.DisposeAsync();
        await Conversations.DisposeAsync();
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<IResult> AnswerAsync(string scenario, HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        Received.Enqueue((request.Path, request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.ToArray()));
        var call = _calls.AddOrUpdate(scenario, 1, (_, n) => n + 1);
        switch (scenario)
        {
            case "flaky" or "flaky-typing" when call <= 2:
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            case "reset":
                // The request arrived whole; the connection is cut before any answer.
                request.HttpContext.Abort();
                return Results.Empty;
            case "refuses":
                return Results.Json(new { error = "unknown thread" }, statusCode: StatusCodes.Status422UnprocessableEntity);
            case "slow":
                // A platform that hangs: longer than the connector's attempt timeout.
                await Task.Delay(TimeSpan.FromSeconds(5), request.HttpContext.RequestAborted);
                return Results.Ok();
            case "recipients":
                return System.Text.Encoding.UTF8.GetString(body.ToArray()).Contains("\"known-", StringComparison.Ordinal) ? Results.Ok() : Results.NotFound();
            case "no-id":
                return Results.Text("accepted");
            default:
                return Results.Json(new { result = new { messageId = $"p-{call}" } }, statusCode: (int)HttpStatusCode.Created);
        }
    }
}
