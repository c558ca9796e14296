extern alias sdk;
extern alias webhook;
using System.Net;
using System.Text;
using Byoc.Connectors.V1;
using sdk::Byoc.Connectors.Sdk;

namespace Byoc.Connectors.Tests;

/// <summary>
/// A connector named in the deployment file other than its type (the webhook connector "support-desk"): its name
/// comes from Connector:Name and is what it serves and what it tells Conversations.
/// </summary>
public sealed class ConnectorNameTests : IAsyncLifetime
{
    private const string Account = "acme";
    private readonly FakeConversations _conversations = new();
    private ConnectorHost<webhook::Program> _connector = null!;

    public async Task InitializeAsync()
    {
        _conversations.AddAccount(Account, new Dictionary<string, string>(WebhookFixture.Mapping) { ["outboundUrl"] = "http://127.0.0.1:9/platform" });
        await _conversations.StartAsync();
        _connector = new ConnectorHost<webhook::Program>(_conversations, new Dictionary<string, string> { ["Connector:Name"] = "support-desk" });
    }

    public async Task DisposeAsync()
    {
        await _connector.DisposeAsync();
        await _conversations.DisposeAsync();
    }

    [Fact]
    public async Task A_webhook_connector_named_support_desk_serves_its_hooks_asks_for_its_accounts_and_ingests_under_that_name()
    {
        var id = $"m-{Guid.NewGuid():N}";
        using var response = await PostAsync($"/hooks/support-desk/{Account}", id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(_conversations.AccountsAskedFor);
        Assert.All(_conversations.AccountsAskedFor, connector => Assert.Equal("support-desk", connector));
        var ingest = Assert.Single(_conversations.Ingested, i => i.Message.ExternalMessageId == id);
        Assert.Equal("support-desk", ingest.Connector);
        Assert.Equal($"support-desk:{Account}:{id}", ingest.IdempotencyKey);
    }

    [Fact]
    public async Task A_connector_named_support_desk_no_longer_serves_the_hooks_of_its_type()
    {
        using var response = await PostAsync($"/hooks/webhook/{Account}", $"m-{Guid.NewGuid():N}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(_conversations.Ingested);
    }

    [Fact]
    public async Task A_connector_describes_itself_by_its_name_with_a_cxone_icon_of_its_platform()
    {
        var description = await _connector.Connector.DescribeAsync(new DescribeRequest());

        Assert.Equal("support-desk", description.Connector);
        Assert.Equal("forum", description.CxoneIcon);
    }

    [Theory]
    [InlineData("Support-Desk")]
    [InlineData("support_desk")]
    [InlineData("-desk")]
    [InlineData("desk-")]
    [InlineData("support--desk")]
    [InlineData("1desk")]
    public void A_connector_given_an_invalid_name_fails_to_start_naming_the_setting(string name)
    {
        using var connector = new ConnectorHost<webhook::Program>(_conversations, new Dictionary<string, string> { ["Connector:Name"] = name });

        var failure = Assert.Throws<InvalidOperationException>(() => connector.CreateClient());

        Assert.Contains($"Connector:Name (Connector__Name) is '{name}'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_is_valid_by_the_deployment_file_s_rule()
    {
        Assert.True(ConnectorName.IsValid("support-desk"));
        Assert.True(ConnectorName.IsValid("desk2"));
        Assert.True(ConnectorName.IsValid(new string('a', 40)));
        Assert.False(ConnectorName.IsValid(new string('a', 41)));
        Assert.False(ConnectorName.IsValid(""));
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string id)
    {
        var body = Encoding.UTF8.GetBytes("""{"event":{"id":"ID","conversation":{"id":"t-1"},"from":{"id":"u-1"},"body":{"text":"hello"}}}""".Replace("ID", id, StringComparison.Ordinal));
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Headers.Add("X-Byoc-Timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("X-Byoc-Signature", WebhookSignature.Sign(WebhookFixture.Secret, timestamp, body));
        return await _connector.CreateClient().SendAsync(request);
    }
}
