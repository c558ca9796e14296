using System.Collections.Concurrent;
using Byoc.Conversations.V1;
using Grpc.Core;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// The connector's platform accounts with their settings, read from Conversations' vault (never from
/// appsettings): re-read when older than 30 seconds, or when an unknown account is asked for — but at most once
/// every 5 seconds for unknown ones, so a flood of made-up account ids in webhook paths cannot hammer
/// Conversations. When Conversations cannot answer, the accounts already known keep being served.
/// </summary>
public sealed class AccountDirectory(Accounts.AccountsClient accounts, ConnectorName connector, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan UnknownRefreshEvery = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private ConcurrentDictionary<string, PlatformAccount> _accounts = new(StringComparer.Ordinal);
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;

    public IReadOnlyCollection<PlatformAccount> All => [.. _accounts.Values];

    public async Task<PlatformAccount?> FindAsync(string accountId, CancellationToken cancellationToken)
    {
        var age = time.GetUtcNow() - _loadedAt;
        if (age > RefreshEvery || (!_accounts.ContainsKey(accountId) && age > UnknownRefreshEvery))
        {
            try
            {
                await RefreshAsync(cancellationToken, onlyIfOlderThan: _accounts.ContainsKey(accountId) ? RefreshEvery : UnknownRefreshEvery);
            }
            catch (RpcException) when (!_accounts.IsEmpty)
            {
                // Conversations is away: what we know still serves.
            }
        }

        return _accounts.GetValueOrDefault(accountId);
    }

    public async Task<PlatformAccount> GetAsync(string accountId, CancellationToken cancellationToken) =>
        await FindAsync(accountId, cancellationToken)
        ?? throw new RpcException(new Status(StatusCode.NotFound, $"{connector} has no account '{accountId}'"));

    public void Dispose() => _refresh.Dispose();

    public async Task RefreshAsync(CancellationToken cancellationToken, TimeSpan? onlyIfOlderThan = null)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            // Whoever waited while another caller refreshed uses that fresh copy instead of asking again.
            if (onlyIfOlderThan is { } limit && time.GetUtcNow() - _loadedAt <= limit)
            {
                return;
            }

            var answer = await accounts.GetAccountSettingsAsync(new GetAccountSettingsRequest { Connector = connector.Value }, cancellationToken: cancellationToken);
            _accounts = new ConcurrentDictionary<string, PlatformAccount>(
                answer.Accounts.Select(a => KeyValuePair.Create(a.AccountId, new PlatformAccount(a.AccountId, a.ChannelId, a.Settings.ToDictionary()))),
                StringComparer.Ordinal);
            _loadedAt = time.GetUtcNow();
        }
        finally
        {
            _refresh.Release();
        }
    }
}
