using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Byoc.Edge.Admin.Readiness;

/// <summary>
/// Checks the public base URL (CXone's Integration Box URL) against the seed's rules: https; not an AWS API Gateway
/// default host (amazonaws.com, .execute-api.); resolves to a DNS A record, and a public one; answers HTTP from
/// outside; its token endpoint answers like an OAuth token endpoint. A check that cannot run because an earlier one
/// failed is skipped, with the reason, and nothing is sent to a host that is not public (an admin cannot aim the
/// Edge at an internal address).
/// </summary>
public sealed class ReadinessCheck(IPublicUrlProbe probe, IConfiguration configuration)
{
    public const string TokenPath = "/1.0/token";

    /// <summary>The configured public base URL: Edge:PublicBaseUrl, else the token issuer the Edge was given.</summary>
    public string? ConfiguredBaseUrl =>
        configuration["Edge:PublicBaseUrl"] is { Length: > 0 } url ? url
        : configuration["Edge:Token:Issuer"] is { Length: > 0 } issuer ? issuer
        : null;

    public async Task<ReadinessReport> CheckAsync(string? baseUrl, CancellationToken cancellationToken)
    {
        var given = string.IsNullOrWhiteSpace(baseUrl) ? ConfiguredBaseUrl : baseUrl.Trim();
        var checks = new List<ReadinessItem>();
        if (given is null)
        {
            checks.Add(ReadinessItem.Failed("url", "A public base URL is known", "Edge:PublicBaseUrl is not set; set it, or give one to check as baseUrl."));
            return Report(given, checks);
        }

        if (!Uri.TryCreate(given, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || url.Host.Length == 0)
        {
            throw new Operations.AdminQueryException("baseUrl", "baseUrl must be an absolute URL such as https://byoc.example.com.");
        }

        checks.Add(ReadinessItem.Passed("url", "A public base URL is known", url.ToString()));
        checks.Add(url.Scheme == Uri.UriSchemeHttps
            ? ReadinessItem.Passed("https", "Uses https")
            : ReadinessItem.Failed("https", "Uses https", $"The URL uses {url.Scheme}; CXone calls only https:// URLs."));

        var host = url.IdnHost.ToLowerInvariant();
        var gateway = host.EndsWith("amazonaws.com", StringComparison.Ordinal) || host.Contains(".execute-api.", StringComparison.Ordinal);
        checks.Add(gateway
            ? ReadinessItem.Failed("not-aws-gateway", "Not an AWS API Gateway default host", $"{host} is an AWS default host (amazonaws.com, .execute-api.); give the API gateway a custom domain name.")
            : ReadinessItem.Passed("not-aws-gateway", "Not an AWS API Gateway default host"));

        IReadOnlyList<IPAddress> addresses = [];
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            checks.Add(ReadinessItem.Failed("dns-a-record", "Resolves to a DNS A record", $"{host} is an IP address, not a name with an A record."));
            addresses = [literal];
        }
        else
        {
            addresses = await probe.ResolveAsync(host, cancellationToken);
            checks.Add(addresses.Count > 0
                ? ReadinessItem.Passed("dns-a-record", "Resolves to a DNS A record", string.Join(", ", addresses.Select(a => a.ToString())))
                : ReadinessItem.Failed("dns-a-record", "Resolves to a DNS A record", $"{host} has no A record (IPv4); CXone needs one."));
        }

        var isPublic = addresses.Count > 0 && addresses.All(IsPublic) && host != "localhost";
        checks.Add(addresses.Count == 0
            ? ReadinessItem.Skipped("public-address", "Resolves to public addresses only", "No address to check.")
            : isPublic
                ? ReadinessItem.Passed("public-address", "Resolves to public addresses only")
                : ReadinessItem.Failed("public-address", "Resolves to public addresses only",
                    $"{string.Join(", ", addresses.Where(a => !IsPublic(a)))} cannot be reached from CXone (loopback, private or link-local)."));

        if (!isPublic)
        {
            checks.Add(ReadinessItem.Skipped("reachable", "Answers HTTP requests from outside", "Not tried: the URL does not resolve to a public address."));
            checks.Add(ReadinessItem.Skipped("token-endpoint", "The token endpoint answers", "Not tried: the URL does not resolve to a public address."));
            return Report(given, checks);
        }

        var root = new Uri(url.GetLeftPart(UriPartial.Path));
        var reached = await probe.SendAsync(new HttpRequestMessage(HttpMethod.Get, root), cancellationToken);
        checks.Add(reached.StatusCode is { } status
            ? ReadinessItem.Passed("reachable", "Answers HTTP requests from outside", $"GET {root} answered HTTP {status}")
            : ReadinessItem.Failed("reachable", "Answers HTTP requests from outside", $"GET {root} got no answer: {reached.Error}"));

        var tokenUrl = new Uri(url.GetLeftPart(UriPartial.Path).TrimEnd('/') + TokenPath);
        var token = await probe.SendAsync(new HttpRequestMessage(HttpMethod.Post, tokenUrl)
        {
            // Credentials that cannot be valid: an OAuth token endpoint refuses them with an OAuth error; anything else is not one.
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", "byoc-readiness-check"), new("client_secret", "not-a-secret")]),
        }, cancellationToken);
        checks.Add(TokenAnswer(tokenUrl, token));
        return Report(given, checks);
    }

    private static ReadinessItem TokenAnswer(Uri tokenUrl, ProbeAnswer answer)
    {
        const string Title = "The token endpoint answers";
        if (answer.StatusCode is not { } status)
        {
            return ReadinessItem.Failed("token-endpoint", Title, $"POST {tokenUrl} got no answer: {answer.Error}");
        }

        string? error = null;
        try
        {
            using var json = JsonDocument.Parse(answer.Body ?? string.Empty);
            error = json.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
        }
        catch (JsonException)
        {
        }

        return status is 400 or 401 && error is not null
            ? ReadinessItem.Passed("token-endpoint", Title, $"POST {tokenUrl.AbsolutePath} refused a made-up client with {status} {error}, as it should")
            : ReadinessItem.Failed("token-endpoint", Title, $"POST {tokenUrl} answered {status} without an OAuth error: it is not Byoc's token endpoint (is the path or a proxy wrong?).");
    }

    private static ReadinessReport Report(string? baseUrl, List<ReadinessItem> checks) =>
        new(baseUrl, checks.All(c => c.Status == ReadinessItem.PassedStatus), checks);

    internal static bool IsPublic(IPAddress address)
    {
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal);
        }

        var b = address.GetAddressBytes();
        return !(b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168)
                 || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] is >= 64 and <= 127) || b[0] == 0 || b[0] >= 224);
    }
}

public sealed record ReadinessReport(string? BaseUrl, bool Ready, IReadOnlyList<ReadinessItem> Checks);

/// <summary>One rule: passed, failed (with the reason) or skipped (with why it could not run).</summary>
public sealed record ReadinessItem(string Id, string Title, string Status, string? Detail)
{
    public const string PassedStatus = "passed";
    public const string FailedStatus = "failed";
    public const string SkippedStatus = "skipped";

    public static ReadinessItem Passed(string id, string title, string? detail = null) => new(id, title, PassedStatus, detail);

    public static ReadinessItem Failed(string id, string title, string reason) => new(id, title, FailedStatus, reason);

    public static ReadinessItem Skipped(string id, string title, string reason) => new(id, title, SkippedStatus, reason);
}
