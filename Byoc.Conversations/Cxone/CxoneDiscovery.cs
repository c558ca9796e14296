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
    public const string FedRampArea = "na2";
    public const string FedRampDomain = "nicecxone-gov.com";
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
            return DigitalApiBase(document.RootElement, integration);
        });
    }

    /// <summary>
    /// As NICE's agent SDK builds it (cxone-contract §5): <c>https://api-de-{area}.{domain}</c>, except the FedRAMP area
    /// <c>na2</c>, which lives under <c>nicecxone-gov.com</c>. <c>api_endpoint</c> is the ACD API host, not the Digital
    /// API's, so without an area nothing is guessed: the integration must name its base URL.
    /// </summary>
    public static string DigitalApiBase(JsonElement cxoneConfiguration, Integration integration)
    {
        var area = Text(cxoneConfiguration, "area");
        if (string.Equals(area, FedRampArea, StringComparison.OrdinalIgnoreCase))
        {
            return $"https://api-de-{FedRampArea}.{FedRampDomain}/dfo/3.0";
        }

        var domain = Text(cxoneConfiguration, "domain");
        if (area is not null && domain is not null)
        {
            return $"https://api-de-{area}.{domain}/dfo/3.0";
        }

        throw new CxoneDiscoveryException(
            $"{integration.Cxone.Issuer}'s CXone configuration for tenant {integration.TenantId} names no {(area is null ? "area" : "domain")}, " +
            $"so the Digital API host of integration {integration.Id} cannot be derived (api_endpoint is the ACD API host, not the Digital API's). " +
            $"Set {ProvisioningOptions.Section}:Integrations:N:Cxone:DigitalApiBaseUrl for integration {integration.Id} " +
            $"(in a deployment file: integrations:{integration.Id}:cxone:digitalApiBaseUrl) " +
            "(e.g. https://api-de-na1.niceincontact.com/dfo/3.0).")
        {
            IsConfigurationError = true,
        };
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text ? text : null;

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

public sealed class CxoneDiscoveryException(string message) : Exception(message)
{
    /// <summary>Not a passing failure: Byoc's configuration must change, so retrying cannot help.</summary>
    public bool IsConfigurationError { get; init; }
}
