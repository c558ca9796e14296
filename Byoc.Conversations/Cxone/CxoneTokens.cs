using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Byoc.Conversations.Registry;
using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace Byoc.Conversations.Cxone;

/// <summary>
/// CXone access tokens per integration (access-key password grant, cxone-contract §3.1), cached in Redis with a TTL
/// below their expiry and shared by every replica. However many callers and replicas need one at the same moment,
/// one auth call is made: callers in a process share one fetch, and replicas take turns with a Redis lock.
/// Each replica also keeps the token in memory for up to <see cref="LocalFor"/> (never past its Redis expiry), so a
/// message costs no Redis read for its token; a 401 from CXone drops both copies, and the refused token is never
/// taken up again (a read of Redis that was under way when it was refused may still return it).
/// In Redis a token is kept only protected with Data Protection (<see cref="ProtectorPurpose"/>): a dump of Redis
/// does not hand out a bearer token for the tenant.
/// </summary>
public sealed partial class CxoneTokens(
    IConnectionMultiplexer redis,
    IDataProtectionProvider dataProtection,
    IHttpClientFactory httpClients,
    CxoneDiscovery discovery,
    TimeProvider time,
    ILogger<CxoneTokens> logger)
{
    /// <summary>How long a replica trusts its in-memory copy before looking at Redis again.</summary>
    public static readonly TimeSpan LocalFor = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan LockFor = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(25);

    // Deletes the cached token only if it is still the one CXone refused (another caller may have replaced it).
    private const string DeleteIfSame = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _fetches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Until)> _local = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _refused = new(StringComparer.Ordinal);

    public const string ProtectorPurpose = "Byoc.Conversations.CxoneTokens.v1";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(ProtectorPurpose);

    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// Drops the cached token of an integration whose access key changed, so the next call authenticates with the new
    /// key (other replicas may use their in-memory copy for up to <see cref="LocalFor"/>).
    /// </summary>
    public async Task ForgetAsync(string integrationId)
    {
        _local.TryRemove(integrationId, out _);
        await Db.KeyDeleteAsync(RedisKeys.CxoneToken(integrationId));
    }

    public async Task<string> GetAsync(Integration integration, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_local.TryGetValue(integration.Id, out var local) && local.Until > now)
        {
            return local.Token;
        }

        var cached = await Db.StringGetWithExpiryAsync(RedisKeys.CxoneToken(integration.Id));
        if (Unprotect(cached.Value) is { } token && Usable(integration.Id, token))
        {
            return Remember(integration.Id, token, cached.Expiry);
        }

        var fetch = _fetches.GetOrAdd(integration.Id, _ => new Lazy<Task<string>>(() => FetchSharedAsync(integration)));
        try
        {
            return await fetch.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (fetch.Value.IsCompleted)
            {
                _fetches.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(integration.Id, fetch));
            }
        }
    }

    /// <summary>Forgets a token CXone answered 401 to, so the next caller fetches a new one.</summary>
    public async Task InvalidateAsync(Integration integration, string token)
    {
        _refused[integration.Id] = token;
        if (_local.TryGetValue(integration.Id, out var local) && local.Token == token)
        {
            _local.TryRemove(new KeyValuePair<string, (string, DateTimeOffset)>(integration.Id, local));
        }

        // Protection is not deterministic: the stored form of this token is found by reading it back, and deleted
        // only if it is still that exact value.
        var key = RedisKeys.CxoneToken(integration.Id);
        var stored = await Db.StringGetAsync(key);
        if (Unprotect(stored) == token)
        {
            await Db.ScriptEvaluateAsync(DeleteIfSame, [key], [stored]);
        }
    }

    private bool Usable(string integrationId, string token) =>
        !(_refused.TryGetValue(integrationId, out var refused) && token == refused);

    /// <summary>The token of a cached value; null when there is none or it cannot be read (another key ring, a value in clear).</summary>
    private string? Unprotect(RedisValue stored)
    {
        if (stored.IsNullOrEmpty)
        {
            return null;
        }

        try
        {
            return _protector.Unprotect((string)stored!);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return null;
        }
    }

    private string Remember(string integrationId, string token, TimeSpan? validFor)
    {
        _local[integrationId] = (token, time.GetUtcNow() + (validFor is { } left && left < LocalFor ? left : LocalFor));
        return token;
    }

    private async Task<string> FetchSharedAsync(Integration integration)
    {
        using var timeout = new CancellationTokenSource(LockFor);
        var me = Guid.NewGuid().ToString("N");
        var lockKey = RedisKeys.CxoneTokenLock(integration.Id);
        while (true)
        {
            var cached = await Db.StringGetWithExpiryAsync(RedisKeys.CxoneToken(integration.Id));
            if (Unprotect(cached.Value) is { } token && Usable(integration.Id, token))
            {
                return Remember(integration.Id, token, cached.Expiry);
            }

            if (await Db.StringSetAsync(lockKey, me, LockFor, When.NotExists))
            {
                try
                {
                    return await FetchAsync(integration, timeout.Token);
                }
                finally
                {
                    await Db.ScriptEvaluateAsync(DeleteIfSame, [lockKey], [me]);
                }
            }

            // Another replica is fetching: its token appears in Redis shortly.
            await Task.Delay(WaitStep, timeout.Token);
        }
    }

    private async Task<string> FetchAsync(Integration integration, CancellationToken cancellationToken)
    {
        var endpoint = await discovery.TokenEndpointAsync(integration.Cxone, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            // HTTP/2 failures have been reported on CXone's auth host.
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "password"),
                new("username", integration.Cxone.AccessKeyId),
                new("password", integration.Cxone.AccessKeySecret),
            ]),
        };
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(integration.Cxone.AppClientId)}:{Uri.EscapeDataString(integration.Cxone.AppClientSecret)}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var response = await httpClients.CreateClient(CxoneClient.HttpClientName).SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // The body is an OAuth error (no secret in it); the request, which holds secrets, is never logged.
            LogAuthRefused(integration.Id, (int)response.StatusCode, Truncate(body));
            throw new CxoneAuthException($"CXone refused the access key of integration {integration.Id}: {(int)response.StatusCode}");
        }

        using var json = JsonDocument.Parse(body);
        var token = json.RootElement.GetProperty("access_token").GetString()
            ?? throw new CxoneAuthException($"CXone's token answer for integration {integration.Id} has no access_token.");
        var lifetime = json.RootElement.TryGetProperty("expires_in", out var expires) && expires.TryGetInt32(out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMinutes(30);
        var cacheFor = lifetime > RefreshMargin * 2 ? lifetime - RefreshMargin : lifetime / 2;
        await Db.StringSetAsync(RedisKeys.CxoneToken(integration.Id), _protector.Protect(token), cacheFor);
        LogTokenFetched(integration.Id, (int)lifetime.TotalSeconds);
        return Remember(integration.Id, token, cacheFor);
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300];

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched a CXone access token for integration {IntegrationId}, valid {Seconds} s")]
    private partial void LogTokenFetched(string integrationId, int seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CXone refused the access key of integration {IntegrationId}: {Status} {Body}")]
    private partial void LogAuthRefused(string integrationId, int status, string body);
}

public sealed class CxoneAuthException(string message) : Exception(message);
