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
        // What an admin set in the admin UI (a generated client id, the CXone access) outlives a restart's provisioning.
        var adminSet = await Db.HashGetAsync(key, [AdminClientId, AdminCxone]);
        var fields = new List<HashEntry>
        {
            new("tenantId", integration.TenantId),
            new("name", integration.Name),
            new("cxone.issuer", integration.Cxone.Issuer),
            new("cxone.digitalApiBaseUrl", integration.Cxone.DigitalApiBaseUrl ?? string.Empty),
        };
        var clientId = adminSet[0].IsNullOrEmpty ? integration.ClientId : (string?)await Db.HashGetAsync(key, "clientId") ?? integration.ClientId;
        fields.Add(new("clientId", clientId));
        if (adminSet[1].IsNullOrEmpty)
        {
            fields.AddRange(CxoneFields(integration.Cxone));
        }

        if (clientSecret is not null)
        {
            fields.Add(new("secretHash", ClientSecrets.Hash(clientSecret)));
        }

        var transaction = Db.CreateTransaction();
        _ = transaction.HashSetAsync(key, [.. fields]);
        _ = transaction.SetAddAsync(RedisKeys.Integrations, integration.Id);
        _ = transaction.HashSetAsync(RedisKeys.ClientIds, clientId, integration.Id);
        await transaction.ExecuteAsync();
        _cache.TryRemove(key, out _);
    }

    private const string AdminClientId = "admin.clientId";
    private const string AdminCxone = "admin.cxone";

    private HashEntry[] CxoneFields(CxoneAccess cxone) =>
    [
        new("cxone.appClientId", cxone.AppClientId),
        new("cxone.appClientSecret", _protector.Protect(cxone.AppClientSecret)),
        new("cxone.accessKeyId", cxone.AccessKeyId),
        new("cxone.accessKeySecret", _protector.Protect(cxone.AccessKeySecret)),
    ];

    /// <summary>The CXone app client and access key an admin entered; kept over the provisioned ones from now on.</summary>
    public async Task SetCxoneAccessAsync(string integrationId, CxoneAccess cxone)
    {
        var key = RedisKeys.Integration(integrationId);
        await Db.HashSetAsync(key, [.. CxoneFields(cxone), new HashEntry(AdminCxone, "1")]);
        _cache.TryRemove(key, out _);
    }

    /// <summary>Gives the integration another client id (the old one stops working at once); kept over the provisioned one.</summary>
    public async Task ReplaceClientIdAsync(string integrationId, string clientId)
    {
        var key = RedisKeys.Integration(integrationId);
        var previous = await Db.HashGetAsync(key, "clientId");
        var transaction = Db.CreateTransaction();
        _ = transaction.HashSetAsync(key, [new HashEntry("clientId", clientId), new HashEntry(AdminClientId, "1")]);
        if (!previous.IsNullOrEmpty)
        {
            _ = transaction.HashDeleteAsync(RedisKeys.ClientIds, previous);
        }

        _ = transaction.HashSetAsync(RedisKeys.ClientIds, clientId, integrationId);
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
        var key = RedisKeys.Channel(channel.Id);
        var tenantId = (await GetIntegrationAsync(channel.IntegrationId))?.TenantId;
        var previous = await Db.HashGetAsync(key, ["indexMember", "indexTenant"]);
        var member = IndexMember(channel);
        var transaction = Db.CreateTransaction();
        _ = transaction.HashSetAsync(key,
        [
            new("integrationId", channel.IntegrationId),
            new("connector", channel.Connector),
            new("accountId", channel.AccountId),
            new("name", channel.Name),
            new("icon", channel.Icon),
            new("indexMember", member),
            new("indexTenant", tenantId ?? string.Empty),
        ]);
        _ = transaction.HashSetAsync(RedisKeys.Accounts, AccountKey(channel.Connector, channel.AccountId), channel.Id);
        _ = transaction.SetAddAsync(RedisKeys.IntegrationChannels(channel.IntegrationId), channel.Id);
        if (!previous[0].IsNullOrEmpty && !previous[1].IsNullOrEmpty && (previous[0] != member || previous[1] != tenantId))
        {
            _ = transaction.SortedSetRemoveAsync(RedisKeys.TenantChannels(previous[1]!), previous[0]);
        }

        if (tenantId is not null)
        {
            _ = transaction.SortedSetAddAsync(RedisKeys.TenantChannels(tenantId), member, 0);
        }

        await transaction.ExecuteAsync();
        _cache.TryRemove(key, out _);
        _cache.TryRemove(AccountKey(channel.Connector, channel.AccountId), out _);
    }

    /// <summary>Forgets a point of contact: its hash (settings with it), its account, its place in the lists.</summary>
    public async Task DeleteChannelAsync(Channel channel)
    {
        var key = RedisKeys.Channel(channel.Id);
        var previous = await Db.HashGetAsync(key, ["indexMember", "indexTenant"]);
        var transaction = Db.CreateTransaction();
        _ = transaction.KeyDeleteAsync(key);
        _ = transaction.HashDeleteAsync(RedisKeys.Accounts, AccountKey(channel.Connector, channel.AccountId));
        _ = transaction.SetRemoveAsync(RedisKeys.IntegrationChannels(channel.IntegrationId), channel.Id);
        if (!previous[0].IsNullOrEmpty && !previous[1].IsNullOrEmpty)
        {
            _ = transaction.SortedSetRemoveAsync(RedisKeys.TenantChannels(previous[1]!), previous[0]);
        }

        await transaction.ExecuteAsync();
        _cache.TryRemove(key, out _);
        _cache.TryRemove(AccountKey(channel.Connector, channel.AccountId), out _);
    }

    /// <summary>
    /// The member of a channel in its tenant's list: ordered by lower-case name, then id; it carries what the text
    /// filter and the integration filter look at, so a page is found without reading every channel.
    /// </summary>
    public static string IndexMember(Channel channel) =>
        string.Join('\n', channel.Name.ToLowerInvariant().Replace('\n', ' '), channel.Id, channel.Connector, channel.AccountId, channel.IntegrationId);

    /// <summary>
    /// The next members after <paramref name="after"/> in a tenant's list that <paramref name="matches"/>, at most
    /// <paramref name="limit"/>; read in chunks, so a page costs a few round trips even with a sparse filter.
    /// </summary>
    public async Task<IReadOnlyList<string>> ChannelIndexAsync(string tenantId, string? after, int limit, Func<string, bool> matches)
    {
        const int Chunk = 500;
        var found = new List<string>();
        var from = after is null ? RedisValue.Null : (RedisValue)after;
        while (found.Count < limit)
        {
            // A null bound is "-" (the start); a given one is excluded: the page starts after the cursor.
            var members = await Db.SortedSetRangeByValueAsync(RedisKeys.TenantChannels(tenantId), from, RedisValue.Null,
                from.IsNull ? Exclude.None : Exclude.Start, Order.Ascending, skip: 0, take: Chunk);
            foreach (var member in members)
            {
                if (matches(member!) && found.Count < limit)
                {
                    found.Add(member!);
                }
            }

            if (members.Length < Chunk)
            {
                break;
            }

            from = members[^1];
        }

        return found;
    }

    /// <summary>A platform account's settings (tokens, signing secrets), encrypted as one value on the channel.</summary>
    public async Task SetAccountSettingsAsync(string channelId, IReadOnlyDictionary<string, string> settings)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(settings.ToDictionary(), RegistryJson.Default.DictionaryStringString);
        await Db.HashSetAsync(RedisKeys.Channel(channelId), "settings", _protector.Protect(json));
    }

    /// <summary>Whether the integration has a client secret that works now (not revoked).</summary>
    public async Task<bool> HasUsableClientSecretAsync(string integrationId) =>
        !(await Db.HashGetAsync(RedisKeys.Integration(integrationId), "secretHash")).IsNullOrEmpty;

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
