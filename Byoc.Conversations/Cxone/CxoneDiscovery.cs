using System.Collections.Concurrent;
using System.Text.Json;
using Byoc.Conversations.Registry;

namespace Byoc.Conversations.Cxone;

/// <summary>
/// Where a tenant's CXone lives: the token endpoint from <c>/.well-known/openid-configuration</c> and the Digital
/// API from <c>/.well-known/cxone-configuration?tenantId=</c> (or the integration's configured base URL).
/// Discovery documents change rarely: they are cached for an hour.
/// </summary>
public sealed class CxoneDiscovery(IHttpClientFactory httpClients, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, string Value)> _cache = new(StringComparer.Ordinal);

    public Task<string> TokenEndpointAsync(CxoneAccess cxone, CancellationToken cancellationToken) =>
        CachedAsync($"token\n{cxone.Issuer}", async () =>
        {
            using var document = await GetJsonAsync(new Uri(new Uri(cxone.Issuer.TrimEnd('/') + "/"), ".well-known/openid-configuration"), cancellationToken);
            return document.RootElement.TryGetProperty("token_endpoint", out var endpoint) && endpoint.GetString() is { Length: > 0 } url
                ? url
                : throw new CxoneDiscoveryException($"{cxone.Issuer}'s OpenID configuration has no token_endpoint.");
        });

    /// <summary>The Digital API base, ending in <c>/dfo/3.0</c>.</summary>
    public Task<string> DigitalApiBaseAsync(Integration integration, CancellationToken cancellationToken)
    {
        if (integration.Cxone.DigitalApiBaseUrl is { } configured)
        {
            return Task.FromResult(configured.TrimEnd('/'));
        }

        return CachedAsync($"api\n{integration.Cxone.Issuer}\n{integration.TenantId}", async () =>
        {
            var url = new Uri(new Uri(integration.Cxone.Issuer.TrimEnd('/') + "/"), $".well-known/cxone-configuration?tenantId={Uri.EscapeDataString(integration.TenantId)}");
            using var document = await GetJsonAsync(url, cancellationToken);
            var root = document.RootElement;
            // The Digital API is served from api-de-{area}.{domain} (cxone-contract §3.1); api_endpoint names the
            // general API host, which serves it only behind a NICE toggle, so it is the fallback.
            if (root.TryGetProperty("area", out var area) && root.TryGetProperty("domain", out var domain)
                && area.GetString() is { Length: > 0 } areaName && domain.GetString() is { Length: > 0 } domainName)
            {
                return $"https://api-de-{areaName}.{domainName}/dfo/3.0";
            }

            if (root.TryGetProperty("api_endpoint", out var api) && api.GetString() is { Length: > 0 } endpoint)
            {
                return endpoint.TrimEnd('/') + "/dfo/3.0";
            }

            throw new CxoneDiscoveryException($"{integration.Cxone.Issuer}'s CXone configuration names no API endpoint for tenant {integration.TenantId}.");
        });
    }

    private async Task<string> CachedAsync(string key, Func<Task<string>> load)
    {
        if (_cache.TryGetValue(key, out var entry) && entry.Until > time.GetUtcNow())
        {
            return entry.Value;
        }

        var value = await load();
        _cache[key] = (time.GetUtcNow() + CacheFor, value);
        return value;
    }

    private async Task<JsonDocument> GetJsonAsync(Uri url, CancellationToken cancellationToken)
    {
        using var response = await httpClients.CreateClient(CxoneClient.HttpClientName).GetAsync(url, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CxoneDiscoveryException($"{url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}.");
        }

        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
    }
}

public sealed class CxoneDiscoveryException(string message) : Exception(message);
