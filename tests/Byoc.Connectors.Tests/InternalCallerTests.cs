extern alias webhook;
using Byoc.Connectors.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Byoc.Connectors.Tests;

/// <summary>A connector's contract is Conversations' to call, and no other caller's.</summary>
public sealed class InternalCallerTests : IAsyncLifetime
{
    private const string ConversationsKey = "conversations-key-0123456789abcdef";
    private const string EdgeKey = "edge-key-0123456789abcdef";

    private readonly FakeConversations _conversations = new();
    private readonly List<GrpcChannel> _channels = [];
    private ConnectorHost<webhook::Program> _connector = null!;

    public async Task InitializeAsync()
    {
        await _conversations.StartAsync();
        _connector = new ConnectorHost<webhook::Program>(_conversations, new Dictionary<string, string>
        {
            ["Byoc:InternalCallers:conversations"] = ConversationsKey,
            // A caller the connector knows but must not serve: only Conversations may send through a connector.
            ["Byoc:InternalCallers:edge"] = EdgeKey,
        });
    }

    public async Task DisposeAsync()
    {
        _channels.ForEach(c => c.Dispose());
        await _connector.DisposeAsync();
        await _conversations.DisposeAsync();
    }

    [Fact]
    public async Task Only_the_conversations_credential_may_call_the_connector_contract()
    {
        var described = await Client(ConversationsKey).DescribeAsync(new DescribeRequest());
        var edge = await Assert.ThrowsAsync<RpcException>(() => Client(EdgeKey).DescribeAsync(new DescribeRequest()).ResponseAsync);
        var stranger = await Assert.ThrowsAsync<RpcException>(() => Client("no-such-key-0123456789").SendAsync(new SendRequest { AccountId = "a" }).ResponseAsync);

        Assert.Equal("webhook", described.Connector);
        Assert.Equal(StatusCode.PermissionDenied, edge.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, stranger.StatusCode);
    }

    private Connector.ConnectorClient Client(string key)
    {
        var channel = GrpcChannel.ForAddress(_connector.Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = new KeyHeader(key) { InnerHandler = _connector.Server.CreateHandler() },
        });
        _channels.Add(channel);
        return new(channel);
    }

    /// <summary>The header Byoc's own internal clients send (ServiceDefaults' InternalKeyHandler).</summary>
    private sealed class KeyHeader(string key) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation("x-byoc-internal-key", key);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
