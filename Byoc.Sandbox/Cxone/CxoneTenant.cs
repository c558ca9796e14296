using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Byoc.Sandbox.Cxone;

/// <summary>
/// The state of the simulated CXone tenant, in memory (the sandbox is for development and tests): issued tokens,
/// points of contact, the messages stored on them, statuses, sender actions and one-time tokens.
/// </summary>
public sealed class CxoneTenant(IOptionsMonitor<CxoneSimulatorOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ChannelLog> _logs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OneTimeToken> _oneTimeTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _tokensByKey = new(StringComparer.Ordinal);
    private int _tokensIssued;

    public CxoneSimulatorOptions Options => options.CurrentValue;

    /// <summary>How many access tokens the auth endpoint has issued (tests check that replicas share one).</summary>
    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    /// <summary>Tokens issued per access key (the one-time-token exchange counts under its user).</summary>
    public IReadOnlyDictionary<string, int> TokensIssuedByKey => _tokensByKey;

    public (string Token, TimeSpan Lifetime) IssueToken(string issuedTo)
    {
        _tokensByKey.AddOrUpdate(issuedTo, 1, (_, n) => n + 1);
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var lifetime = Options.TokenLifetime;
        _tokens[token] = time.GetUtcNow() + lifetime;
        Interlocked.Increment(ref _tokensIssued);
        return (token, lifetime);
    }

    public bool IsValidToken(string token) => _tokens.TryGetValue(token, out var expires) && expires > time.GetUtcNow();

    /// <summary>Expires every token now, as if an hour had passed.</summary>
    public void ExpireTokens()
    {
        foreach (var key in _tokens.Keys)
        {
            _tokens[key] = DateTimeOffset.MinValue;
        }
    }

    public JsonObject UpsertChannel(JsonObject channel)
    {
        var id = channel["id"]!.GetValue<string>();
        _channels[id] = channel;
        _logs.GetOrAdd(id, _ => new ChannelLog());
        return channel;
    }

    public IReadOnlyList<JsonObject> Channels() => [.. _channels.Values];

    public JsonObject? Channel(string id) => _channels.GetValueOrDefault(id);

    public bool DeleteChannel(string id) => _channels.TryRemove(id, out _);

    public ChannelLog Log(string channelId) => _logs.GetOrAdd(channelId, _ => new ChannelLog());

    /// <summary>Forgets what a channel received (messages, statuses, typing), keeping the channel itself.</summary>
    public void ClearLog(string channelId) => _logs.TryRemove(channelId, out _);

    public OneTimeToken CreateOneTimeToken(int userId, string purpose)
    {
        var token = new OneTimeToken(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(), Options.BrandId, userId, purpose, time.GetUtcNow() + TimeSpan.FromMinutes(5));
        _oneTimeTokens[token.Token] = token;
        return token;
    }

    /// <summary>One-time: a token verifies once, for its brand and user, before it expires.</summary>
    public OneTimeToken? RedeemOneTimeToken(string token, int brandId, int userId)
    {
        if (_oneTimeTokens.TryRemove(token, out var found) && found.BrandId == brandId && found.UserId == userId && found.ExpiresAt > time.GetUtcNow())
        {
            return found;
        }

        return null;
    }

    public void Reset()
    {
        _tokens.Clear();
        _channels.Clear();
        _logs.Clear();
        _oneTimeTokens.Clear();
        Interlocked.Exchange(ref _tokensIssued, 0);
        _tokensByKey.Clear();
    }
}

public sealed record OneTimeToken(string Token, int BrandId, int UserId, string Purpose, DateTimeOffset ExpiresAt);

/// <summary>Everything that happened on one point of contact, in arrival order.</summary>
public sealed class ChannelLog
{
    private readonly Lock _gate = new();
    private readonly List<JsonObject> _messages = [];
    private readonly Dictionary<string, int> _byExternalId = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _statuses = [];
    private readonly List<JsonObject> _senderActions = [];
    private readonly List<JsonObject> _threadUpdates = [];

    /// <summary>How many create-message calls repeated an id already stored (CXone updates, never duplicates).</summary>
    public int Updates { get; private set; }

    /// <summary>
    /// Stores a message, or replaces the one with the same idOnExternalPlatform; returns its CXone id. The simulator
    /// stamps when it first stored it (<c>sandboxReceivedAtMs</c>, Unix milliseconds), so benchmarks can measure
    /// end-to-end latency; CXone itself has no such field.
    /// </summary>
    public (string Id, bool Created) Store(JsonObject message, DateTimeOffset receivedAt)
    {
        var externalId = message["idOnExternalPlatform"]!.GetValue<string>();
        lock (_gate)
        {
            if (_byExternalId.TryGetValue(externalId, out var index))
            {
                message["id"] = _messages[index]["id"]!.GetValue<string>();
                message["sandboxReceivedAtMs"] = _messages[index]["sandboxReceivedAtMs"]?.DeepClone();
                _messages[index] = message;
                Updates++;
                return (message["id"]!.GetValue<string>(), false);
            }

            var id = Guid.NewGuid().ToString();
            message["id"] = id;
            message["sandboxReceivedAtMs"] = receivedAt.ToUnixTimeMilliseconds();
            _byExternalId[externalId] = _messages.Count;
            _messages.Add(message);
            return (id, true);
        }
    }

    /// <summary>Messages stored (each idOnExternalPlatform once).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count;
            }
        }
    }

    public IReadOnlyList<JsonObject> Messages()
    {
        lock (_gate)
        {
            return [.. _messages.Select(m => (JsonObject)m.DeepClone())];
        }
    }

    public bool HasMessage(string externalId)
    {
        lock (_gate)
        {
            return _byExternalId.ContainsKey(externalId);
        }
    }

    public void AddStatus(JsonObject status) => Add(_statuses, status);

    public void AddSenderAction(JsonObject action) => Add(_senderActions, action);

    public void AddThreadUpdate(JsonObject update) => Add(_threadUpdates, update);

    public IReadOnlyList<JsonObject> Statuses() => Read(_statuses);

    public IReadOnlyList<JsonObject> SenderActions() => Read(_senderActions);

    public IReadOnlyList<JsonObject> ThreadUpdates() => Read(_threadUpdates);

    private void Add(List<JsonObject> list, JsonObject item)
    {
        lock (_gate)
        {
            list.Add(item);
        }
    }

    private IReadOnlyList<JsonObject> Read(List<JsonObject> list)
    {
        lock (_gate)
        {
            return [.. list.Select(m => (JsonObject)m.DeepClone())];
        }
    }
}
