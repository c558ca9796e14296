using System.Collections.Concurrent;
using Byoc.Conversations.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Byoc.Connectors.Tests;

/// <summary>Conversations as a connector sees it, over real gRPC: serves account settings and records ingests.</summary>
public sealed class FakeConversations : IAsyncDisposable
{
    private LoopbackServer? _server;

    public ConcurrentDictionary<string, AccountSettings> Accounts { get; } = new();

    public ConcurrentQueue<IngestRequest> Ingested { get; } = new();

    /// <summary>The connector each request for account settings named.</summary>
    public ConcurrentQueue<string> AccountsAskedFor { get; } = new();

    public Uri Url => _server!.Url;

    public void AddAccount(string accountId, IReadOnlyDictionary<string, string> settings) =>
        Accounts[accountId] = new AccountSettings { AccountId = accountId, ChannelId = $"chat_{accountId}", Settings = { settings.ToDictionary() } };

    public IReadOnlyList<IngestRequest> IngestedFor(string accountId) => [.. Ingested.Where(i => i.AccountId == accountId)];

    public async Task StartAsync() =>
        _server = await LoopbackServer.StartAsync(HttpProtocols.Http2, s => { s.AddGrpc(); s.AddSingleton(this); }, app =>
        {
            app.MapGrpcService<InboundService>();
            app.MapGrpcService<AccountsService>();
        });

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private sealed class InboundService(FakeConversations fake) : Inbound.InboundBase
    {
        public override Task<IngestResponse> Ingest(IngestRequest request, ServerCallContext context)
        {
            // A message id "answer-{Status}-..." gets that status, as Conversations would answer it.
            if (request.Message.ExternalMessageId.Split('-') is ["answer", var status, ..] && Enum.TryParse<StatusCode>(status, out var code))
            {
                throw new RpcException(new Status(code, $"Conversations answers {code}"));
            }

            fake.Ingested.Enqueue(request);
            return Task.FromResult(new IngestResponse { AcceptedNew = true, CxoneMessageId = $"cx-{request.Message.ExternalMessageId}" });
        }
    }

    private sealed class AccountsService(FakeConversations fake) : Accounts.AccountsBase
    {
        public override Task<GetAccountSettingsResponse> GetAccountSettings(GetAccountSettingsRequest request, ServerCallContext context)
        {
            fake.AccountsAskedFor.Enqueue(request.Connector);
            return Task.FromResult(new GetAccountSettingsResponse { Accounts = { fake.Accounts.Values } });
        }
    }
}
