using System.Net;
using System.Net.Sockets;

namespace Byoc.Edge.Admin.Readiness;

/// <summary>What the readiness check asks of the network: DNS A records and an HTTP answer. Tests replace it; none reaches the internet.</summary>
public interface IPublicUrlProbe
{
    /// <summary>The host's IPv4 addresses (its A records); empty when it has none.</summary>
    Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken);

    /// <summary>Sends the request; the status and the start of the body, or why no answer came.</summary>
    Task<ProbeAnswer> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken);
}

public sealed record ProbeAnswer(int? StatusCode, string? Body, string? Error);

/// <summary>The real network: the system resolver and an HTTP client that follows no redirect and waits 5 s at most.</summary>
public sealed class NetworkPublicUrlProbe(IHttpClientFactory clients) : IPublicUrlProbe
{
    public const string HttpClientName = "readiness";

    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            return await Dns.GetHostAddressesAsync(host, AddressFamily.InterNetwork, cancellationToken);
        }
        catch (SocketException)
        {
            return [];
        }
    }

    public async Task<ProbeAnswer> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return new ProbeAnswer((int)response.StatusCode, body.Length > 2000 ? body[..2000] : body, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ProbeAnswer(null, null, e is TaskCanceledException ? "no answer within 5 s" : e.Message);
        }
    }
}
