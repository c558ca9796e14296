using System.Collections.Concurrent;
using Byoc.Connectors.V1;
using Grpc.Net.Client;

namespace Byoc.Conversations.Outbound;

/// <summary>
/// gRPC clients of the connectors, one per connector name. A connector named <c>junglebook</c> is reached at
/// <c>Byoc:Connectors:junglebook</c> if configured, else at <c>http://connector-junglebook</c> through service
/// discovery (the AppHost's resource name).
/// </summary>
public sealed class ConnectorClients(IHttpClientFactory httpClients, IConfiguration configuration) : IDisposable
{
    public const string HttpClientName = "connectors";
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    public Connector.ConnectorClient For(string connector)
    {
        var channel = _channels.GetOrAdd(connector, name =>
        {
            var address = configuration[$"Byoc:Connectors:{name}"] is { Length: > 0 } configured ? configured : $"http://connector-{name}";
            return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpClient = httpClients.CreateClient(HttpClientName), DisposeHttpClient = true });
        });
        return new Connector.ConnectorClient(channel);
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }
}
