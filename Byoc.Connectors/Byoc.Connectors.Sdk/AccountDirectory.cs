using System.Collections.Concurrent;
using Byoc.Conversations.V1;
using Grpc.Core;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// The connector's platform accounts with their settings, read from Conversations' vault (never from
/// appsettings) and re-read every 30 seconds and whenever an unknown account is asked for.
/// </summary>
public sealed class AccountDirectory(Accounts.AccountsClient accounts, IPlatform platform, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private ConcurrentDictionary<string, PlatformAccount> _accounts = new(StringComparer.Ordinal);
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;

    public IReadOnlyCollection<PlatformAccount> All => [.. _accounts.Values];

    public async Task<PlatformAccount?> FindAsync(string accountId, CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - _loadedAt > RefreshEvery || !_accounts.ContainsKey(accountId))
        {
            await RefreshAsync(cancellationToken);
        }

        return _accounts.GetValueOrDefault(accountId);
    }

    public async Task<PlatformAccount> GetAsync(string accountId, CancellationToken cancellationToken) =>
        await FindAsync(accountId, cancellationToken)
        ?? throw new RpcException(new Status(StatusCode.NotFound, $"{platform.Description.Connector} has no account '{accountId}'"));

    public void Dispose() => _refresh.Dispose();

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            var answer = await accounts.GetAccountSettingsAsync(new GetAccountSettingsRequest { Connector = platform.Description.Connector }, cancellationToken: cancellationToken);
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
