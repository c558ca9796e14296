using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Byoc.Testing;

namespace Byoc.AppHost.Tests;

/// <summary>
/// The app model started by Aspire (DCP, real processes on random ports) with a deployment file naming the generic
/// webhook connector (named <c>support-desk</c>, not after its type) and the Telegram one: both come from the file only. The sandbox, asked for, is its CXone tenant;
/// Telegram's Bot API is a stand-in on loopback.
/// </summary>
public sealed class RunningDeployment : IAsyncLifetime
{
    public static readonly string[] Resources = ["redis", "conversations", "connector-support-desk", "connector-telegram", "edge", "sandbox"];

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly DeploymentFiles _files = new();
    private readonly string _dataPath = Directory.CreateTempSubdirectory("byoc-deployment-run-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    public BotApiStandIn BotApi { get; } = new(TestProcesses.FreePort());

    public WebhookPlatformStandIn WebhookPlatform { get; } = new(TestProcesses.FreePort());

    public SandboxClient Sandbox { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var file = _files.Write(DeploymentFiles.WebhookAndTelegramAtTheSandbox(BotApi.Port, webhookConnector: DeploymentFiles.NamedWebhookConnector, webhookOutboundUrl: WebhookPlatform.OutboundUrl));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Byoc_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = false },
            ["--environment", "Development", "--AppHost:DataPath", _dataPath, "--AppHost:DeploymentFile", file, "--AppHost:Sandbox", "true"],
            timeout.Token);
        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        foreach (var resource in Resources)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        Sandbox = new SandboxClient(App.GetEndpoint("sandbox", "http"));
    }

    public async Task DisposeAsync()
    {
        Sandbox?.Http.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        BotApi.Dispose();
        WebhookPlatform.Dispose();
        _files.Dispose();
        Directory.Delete(_dataPath, recursive: true);
    }
}

[Collection(RunningAppHosts.Name)]
public sealed class ConnectorsByConfigurationTests(RunningDeployment deployment) : IClassFixture<RunningDeployment>, IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose() => _http.Dispose();

    private Uri Edge(string path) => new(deployment.App.GetEndpoint("edge", "http"), path);

    [Theory]
    [InlineData("connector-support-desk")]
    [InlineData("connector-telegram")]
    public async Task A_connector_added_by_configuration_only_is_healthy_with_its_accounts_from_conversations_under_its_own_key(string connector)
    {
        // Its "platform" entry asks Conversations for its accounts over gRPC with its own internal key, then checks
        // each (Telegram: getMe with the account's bot token): Healthy only when both worked.
        var report = await _http.GetFromJsonAsync<JsonElement>(new Uri(deployment.App.GetEndpoint(connector, "web"), "/health"));

        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("entries").GetProperty("platform").GetString());
    }

    [Fact]
    public void The_telegram_connector_checks_its_bot_from_the_file_at_the_bot_api_the_file_names()
    {
        Assert.True(deployment.BotApi.GetMeCalls > 0, "getMe was called with the file's bot token");
    }

    [Theory]
    [InlineData("support-desk")]
    [InlineData("telegram")]
    public async Task The_edge_forwards_a_configured_connector_s_webhooks_to_that_connector(string connector)
    {
        using var response = await _http.PostAsync(Edge($"/hooks/{connector}/nobody"), new StringContent("{}"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        // The connector's own answer, once it asked Conversations for its accounts: there is no account "nobody".
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal($"No {connector} account 'nobody'.", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_edge_knows_no_connector_the_file_does_not_name()
    {
        using var response = await _http.PostAsync(Edge("/hooks/junglebook/monkey-kingdom"), new StringContent("{}"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("No connector 'junglebook'.", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_signed_webhook_to_the_webhook_connector_under_its_own_name_reaches_the_agent_and_the_agent_s_reply_reaches_the_platform()
    {
        var text = $"Any bananas left? {Guid.NewGuid():N}";
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { thread = "t-1", author = "mowgli", id = Guid.NewGuid().ToString("N"), text }));
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, Edge($"/hooks/{DeploymentFiles.NamedWebhookConnector}/{DeploymentFiles.WebhookAccount}")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Byoc-Timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("X-Byoc-Signature", Sign(DeploymentFiles.WebhookSecret, timestamp, body));

        using var response = await _http.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        string? cxoneThread = null;
        await Poll.UntilAsync(async () =>
            {
                var message = (await deployment.Sandbox.MessagesAsync(DeploymentFiles.WebhookPointOfContact)).GetProperty("messages").EnumerateArray()
                    .FirstOrDefault(m => m.GetProperty("messageContent").GetProperty("payload").GetProperty("text").GetString() == text);
                cxoneThread = message.ValueKind == JsonValueKind.Object ? message.GetProperty("thread").GetProperty("idOnExternalPlatform").GetString() : null;
                return cxoneThread is not null;
            },
            TimeSpan.FromSeconds(60), $"the agent sees \"{text}\" on the point of contact {DeploymentFiles.WebhookPointOfContact}");

        // Conversations sends it through the connector it knows the point of contact by: http://connector-support-desk.
        var answer = $"Plenty, Mowgli. {Guid.NewGuid():N}";
        using var reply = await deployment.Sandbox.Http.PostAsJsonAsync("/sandbox/cxone/agent/reply", new { channelId = DeploymentFiles.WebhookPointOfContact, threadId = cxoneThread, text = answer });

        var replied = await reply.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(replied.GetProperty("status").GetInt32() == 200, replied.ToString());
        await Poll.UntilAsync(() => Task.FromResult(deployment.WebhookPlatform.Received.Any(b => b.Contains(answer, StringComparison.Ordinal))),
            TimeSpan.FromSeconds(60), $"the platform gets \"{answer}\" at its outboundUrl");
    }

    // The scheme of docs/connectors/webhook.md, written out here: lowercase hex HMAC-SHA256 of "{timestamp}.{body}".
    private static string Sign(string secret, long timestamp, byte[] body)
    {
        byte[] signed = [.. Encoding.UTF8.GetBytes($"{timestamp}."), .. body];
        return Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
