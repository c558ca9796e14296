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

    /// <summary>When set, every request for account settings fails with it (Conversations down or failing).</summary>
    public StatusCode? FailAccountsWith { get; set; }

    /// <summary>Ingest attempts per message id, retries included.</summary>
    public ConcurrentDictionary<string, int> Attempts { get; } = new(StringComparer.Ordinal);

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
            var attempt = fake.Attempts.AddOrUpdate(request.Message.ExternalMessageId, 1, (_, n) => n + 1);
            // "gone-{n}-...": the first n attempts meet a replica that went away (Unavailable), as during a kill.
            if (request.Message.ExternalMessageId.Split('-') is ["gone", var times, ..] && attempt <= int.Parse(times, System.Globalization.CultureInfo.InvariantCulture))
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "the replica went away"));
            }

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
            if (fake.FailAccountsWith is { } failure)
            {
                throw new RpcException(new Status(failure, "Conversations cannot answer"));
            }

            return Task.FromResult(new GetAccountSettingsResponse { Accounts = { fake.Accounts.Values } });
        }
    }
}
