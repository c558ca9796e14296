using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Byoc.Connectors.Sdk;

/// <summary>Healthy when every account's platform credentials work; degraded (still serving the others) otherwise.</summary>
internal sealed class PlatformAccountsHealthCheck(IPlatform platform, AccountDirectory accounts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await accounts.RefreshAsync(cancellationToken);
        }
        catch (Grpc.Core.RpcException e)
        {
            return HealthCheckResult.Degraded($"Conversations did not give the accounts: {e.StatusCode}");
        }

        var failing = new List<string>();
        foreach (var account in accounts.All)
        {
            if (!await WorksAsync(account, cancellationToken))
            {
                failing.Add(account.AccountId);
            }
        }

        return failing.Count == 0
            ? HealthCheckResult.Healthy($"{accounts.All.Count} accounts")
            : HealthCheckResult.Degraded($"credentials refused for: {string.Join(", ", failing)}");
    }

    private async Task<bool> WorksAsync(PlatformAccount account, CancellationToken cancellationToken)
    {
        try
        {
            return await platform.CheckAccountAsync(account, cancellationToken);
        }
        catch (Exception e) when (e is PlatformRejectedException or PlatformUnavailableException or HttpRequestException)
        {
            return false;
        }
    }
}
