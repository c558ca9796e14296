using System.Collections.Concurrent;
using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace Byoc.Conversations.Registry;

/// <summary>
/// Integrations and channels in Redis. CXone secrets are encrypted with Data Protection (key ring in Redis), client
/// secrets hashed. Reads used on every message are cached in memory for a few seconds.
/// </summary>
public sealed class RegistryStore(IConnectionMultiplexer redis, IDataProtectionProvider dataProtection, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Byoc.Conversations.Registry.Secrets.v1");
    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, object? Value)> _cache = new(StringComparer.Ordinal);

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Creates or updates an integration. The client secret is set only when given (creation, rotation).</summary>
    public async Task UpsertIntegrationAsync(Integration integration, string? clientSecret)
    {
        var key = RedisKeys.Integration(integration.Id);
        var fields = new List<HashEntry>
        {
            new("tenantId", integration.TenantId),
            new("name", integration.Name),
            new("clientId", integration.ClientId),
            new("cxone.issuer", integration.Cxone.Issuer),
            new("cxone.appClientId", integration.Cxone.AppClientId),
            new("cxone.appClientSecret", _protector.Protect(integration.Cxone.AppClientSecret)),
            new("cxone.accessKeyId", integration.Cxone.AccessKeyId),
            new("cxone.accessKeySecret", _protector.Protect(integration.Cxone.AccessKeySecret)),
            new("cxone.digitalApiBaseUrl", integration.Cxone.DigitalApiBaseUrl ?? string.Empty),
        };
        if (clientSecret is not null)
        {
            fields.Add(new("secretHash", ClientSecrets.Hash(clientSecret)));
        }

        var transaction = Db.CreateTransaction();
        _ = transaction.HashSetAsync(key, [.. fields]);
        _ = transaction.SetAddAsync(RedisKeys.Integrations, integration.Id);
        _ = transaction.HashSetAsync(RedisKeys.ClientIds, integration.ClientId, integration.Id);
        await transaction.ExecuteAsync();
        _cache.TryRemove(key, out _);
    }

    public async Task<bool> HasClientSecretAsync(string integrationId) =>
        await Db.HashExistsAsync(RedisKeys.Integration(integrationId), "secretHash");

    public Task<Integration?> GetIntegrationAsync(string integrationId) =>
        CachedAsync(RedisKeys.Integration(integrationId), async key =>
        {
            var entries = (await Db.HashGetAllAsync(key)).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
            if (entries.Count == 0)
            {
                return null;
            }

            return new Integration(
                integrationId,
                entries["tenantId"],
                entries["name"],
                entries["clientId"],
                new CxoneAccess(
                    entries["cxone.issuer"],
                    entries["cxone.appClientId"],
                    _protector.Unprotect(entries["cxone.appClientSecret"]),
                    entries["cxone.accessKeyId"],
                    _protector.Unprotect(entries["cxone.accessKeySecret"]),
                    entries.GetValueOrDefault("cxone.digitalApiBaseUrl") is { Length: > 0 } baseUrl ? baseUrl : null));
        });

    public async Task UpsertChannelAsync(Channel channel)
    {
        var transaction = Db.CreateTransaction();
        _ = transaction.HashSetAsync(RedisKeys.Channel(channel.Id),
        [
            new("integrationId", channel.IntegrationId),
            new("connector", channel.Connector),
            new("accountId", channel.AccountId),
            new("name", channel.Name),
            new("icon", channel.Icon),
        ]);
        _ = transaction.HashSetAsync(RedisKeys.Accounts, AccountKey(channel.Connector, channel.AccountId), channel.Id);
        _ = transaction.SetAddAsync(RedisKeys.IntegrationChannels(channel.IntegrationId), channel.Id);
        await transaction.ExecuteAsync();
        _cache.TryRemove(RedisKeys.Channel(channel.Id), out _);
        _cache.TryRemove(AccountKey(channel.Connector, channel.AccountId), out _);
    }

    /// <summary>A platform account's settings (tokens, signing secrets), encrypted as one value on the channel.</summary>
    public async Task SetAccountSettingsAsync(string channelId, IReadOnlyDictionary<string, string> settings)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(settings.ToDictionary(), RegistryJson.Default.DictionaryStringString);
        await Db.HashSetAsync(RedisKeys.Channel(channelId), "settings", _protector.Protect(json));
    }

    public async Task<IReadOnlyDictionary<string, string>> GetAccountSettingsAsync(string channelId)
    {
        var value = await Db.HashGetAsync(RedisKeys.Channel(channelId), "settings");
        return value.IsNullOrEmpty
            ? new Dictionary<string, string>()
            : System.Text.Json.JsonSerializer.Deserialize(_protector.Unprotect(value.ToString()), RegistryJson.Default.DictionaryStringString)!;
    }

    public async Task<IReadOnlyList<Integration>> IntegrationsAsync()
    {
        var ids = await Db.SetMembersAsync(RedisKeys.Integrations);
        var integrations = await Task.WhenAll(ids.Select(id => GetIntegrationAsync(id.ToString())));
        return [.. integrations.OfType<Integration>().OrderBy(i => i.Id, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<Channel>> ChannelsOfIntegrationAsync(string integrationId)
    {
        var ids = await Db.SetMembersAsync(RedisKeys.IntegrationChannels(integrationId));
        var channels = await Task.WhenAll(ids.Select(id => GetChannelAsync(id.ToString())));
        return [.. channels.OfType<Channel>().OrderBy(c => c.Id, StringComparer.Ordinal)];
    }

    /// <summary>Every channel served by a connector.</summary>
    public async Task<IReadOnlyList<Channel>> ChannelsOfConnectorAsync(string connector)
    {
        var channels = new List<Channel>();
        await foreach (var entry in Db.HashScanAsync(RedisKeys.Accounts, $"{connector}\n*"))
        {
            if (entry.Name.ToString().StartsWith(connector + "\n", StringComparison.Ordinal) && await GetChannelAsync(entry.Value.ToString()) is { } channel)
            {
                channels.Add(channel);
            }
        }

        return channels;
    }

    public Task<Channel?> GetChannelAsync(string channelId) =>
        CachedAsync(RedisKeys.Channel(channelId), async key =>
        {
            var entries = (await Db.HashGetAllAsync(key)).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
            return entries.Count == 0
                ? null
                : new Channel(channelId, entries["integrationId"], entries["connector"], entries["accountId"], entries["name"], entries["icon"]);
        });

    public async Task<Channel?> FindChannelAsync(string connector, string accountId)
    {
        var channelId = await CachedAsync<string>(AccountKey(connector, accountId), async key =>
        {
            var value = await Db.HashGetAsync(RedisKeys.Accounts, key);
            return value.IsNullOrEmpty ? null : value.ToString();
        });
        return channelId is null ? null : await GetChannelAsync(channelId);
    }

    private static string AccountKey(string connector, string accountId) => $"{connector}\n{accountId}";

    private async Task<T?> CachedAsync<T>(string key, Func<string, Task<T?>> load) where T : class
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var entry) && entry.Until > now)
        {
            return (T?)entry.Value;
        }

        var value = await load(key);
        if (value is not null)
        {
            _cache[key] = (now + CacheFor, value);
        }

        return value;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class RegistryJson : System.Text.Json.Serialization.JsonSerializerContext;
