using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// Healthy when every account's platform credentials work; degraded (still serving the others) otherwise. Accounts
/// are probed at once, each within <c>Connector:AccountProbeTimeout</c> (5 s): one platform account that hangs is
/// reported unhealthy instead of holding the readiness probe past its own timeout.
/// </summary>
internal sealed class PlatformAccountsHealthCheck(IPlatform platform, AccountDirectory accounts, IConfiguration configuration) : IHealthCheck
{
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(5);

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

        var timeout = configuration.GetValue("Connector:AccountProbeTimeout", DefaultProbeTimeout);
        var all = accounts.All.ToList();
        var works = await Task.WhenAll(all.Select(account => WorksAsync(account, timeout, cancellationToken)));
        var failing = all.Where((_, i) => !works[i]).Select(a => a.AccountId).ToList();
        return failing.Count == 0
            ? HealthCheckResult.Healthy($"{all.Count} accounts")
            : HealthCheckResult.Degraded($"credentials refused or not answered in time for: {string.Join(", ", failing)}");
    }

    private async Task<bool> WorksAsync(PlatformAccount account, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probe.CancelAfter(timeout);
        try
        {
            // WaitAsync as well: a platform client that ignores cancellation must not hold the probe either.
            return await platform.CheckAccountAsync(account, probe.Token).WaitAsync(timeout, cancellationToken);
        }
        catch (Exception e) when (e is PlatformRejectedException or PlatformUnavailableException or HttpRequestException or TimeoutException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
