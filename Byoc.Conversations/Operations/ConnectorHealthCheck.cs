using System.Diagnostics;
using Byoc.Connectors.V1;
using Byoc.Conversations.Outbound;
using Byoc.Conversations.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Byoc.Conversations.Operations;

/// <summary>
/// Asks each connector the caller's channels use to describe itself (3 s each, all at once) and reads each platform
/// account's last success and failure: a connector that does not answer and an account that keeps failing both show.
/// </summary>
public sealed class ConnectorHealthCheck(ConnectorClients connectors, ScopedChannels scoped, AccountHealthLog accounts, IConfiguration configuration, TimeProvider time)
{
    public static readonly TimeSpan DescribeDeadline = TimeSpan.FromSeconds(3);

    public async Task<GetConnectorHealthResponse> CheckAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        var channels = await scoped.OfAsync(scope);
        var names = channels.Select(c => c.Channel.Connector);
        if (scope.AllTenants)
        {
            // Configured connectors without a channel yet are worth seeing too, but only by admins of every tenant.
            names = names.Concat(configuration.GetSection("Byoc:Connectors").GetChildren().Select(c => c.Key));
        }

        var described = await Task.WhenAll(names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(n => DescribeAsync(n, cancellationToken)));
        var response = new GetConnectorHealthResponse { Connectors = { described } };
        response.Accounts.AddRange(await accounts.ReadAsync([.. channels.OrderBy(c => c.Channel.Id, StringComparer.Ordinal).Select(c => (c.Channel, c.Integration.TenantId))]));
        return response;
    }

    private async Task<ConnectorHealth> DescribeAsync(string connector, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var answer = await connectors.For(connector).DescribeAsync(new DescribeRequest(), deadline: time.GetUtcNow().UtcDateTime + DescribeDeadline, cancellationToken: cancellationToken);
            return new ConnectorHealth { Connector = connector, Reachable = true, DisplayName = answer.DisplayName, Latency = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started)) };
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new ConnectorHealth { Connector = connector, Reachable = false, Error = $"{e.StatusCode}: {e.Status.Detail}", Latency = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started)) };
        }
    }
}
