using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace Byoc.Conversations.Registry;

/// <summary>A client secret that matched: its integration and the secret's generation (carried in the access token).</summary>
public sealed record VerifiedClient(Integration Integration, long Generation);

/// <summary>The answer of one rotation; a retry with the same idempotency key gets it again.</summary>
public sealed record IssuedSecret(string ClientId, string Secret, DateTimeOffset? PreviousValidUntil, long Generation);

/// <summary>The idempotency key was used before with other parameters.</summary>
public sealed class IdempotencyKeyReusedException(string message) : Exception(message);

/// <summary>
/// The client secrets CXone presents to the Edge, on the integration's hash: <c>secretHash</c> (generation
/// <c>secretGeneration</c>, 0 before the first rotation) and, during a rotation's overlap, <c>previousSecretHash</c>
/// (generation − 1) until <c>previousSecretValidUntil</c>. A rotation is one Lua script, so concurrent rotations
/// serialise and each keeps the secret it replaced as the previous one. Its answer is kept under the idempotency key
/// for <see cref="AnswerRetention"/>, the secret in it protected with Data Protection: a retried call whose answer was
/// lost gets the same secret instead of minting another (which would end the secret CXone still has).
/// </summary>
public sealed class ClientSecretStore(IConnectionMultiplexer redis, RegistryStore registry, IDataProtectionProvider dataProtection, TimeProvider time)
{
    public static readonly TimeSpan AnswerRetention = TimeSpan.FromHours(24);

    private const string RotateScript = """
        if #KEYS > 1 then
          local stored = redis.call('GET', KEYS[2])
          if stored then return {'replay', stored} end
        end
        local clientId = redis.call('HGET', KEYS[1], 'clientId')
        if not clientId then return {'missing', ''} end
        local current = redis.call('HGET', KEYS[1], 'secretHash')
        local generation = redis.call('HINCRBY', KEYS[1], 'secretGeneration', 1)
        local previousHash = ''
        local previousUntil = 0
        if tonumber(ARGV[2]) > 0 and current and current ~= '' then
          previousHash = current
          previousUntil = tonumber(ARGV[3]) + tonumber(ARGV[2])
        end
        redis.call('HSET', KEYS[1], 'secretHash', ARGV[1], 'previousSecretHash', previousHash, 'previousSecretValidUntil', previousUntil)
        local answer = cjson.encode({fingerprint = ARGV[4], clientId = clientId, generation = tostring(generation),
          previousUntil = tostring(previousUntil), secret = ARGV[5]})
        if #KEYS > 1 then redis.call('SET', KEYS[2], answer, 'EX', ARGV[6]) end
        return {'issued', answer}
        """;

    private const string RevokeScript = """
        if redis.call('HEXISTS', KEYS[1], 'clientId') == 0 then return -1 end
        redis.call('HSET', KEYS[1], 'previousSecretHash', '', 'previousSecretValidUntil', 0)
        return tonumber(redis.call('HGET', KEYS[1], 'secretGeneration') or '0')
        """;

    // A new generation with no secret: no secret matches, and the Edge refuses every token of an earlier generation.
    private const string RevokeAllScript = """
        if redis.call('HEXISTS', KEYS[1], 'clientId') == 0 then return -1 end
        local generation = redis.call('HINCRBY', KEYS[1], 'secretGeneration', 1)
        redis.call('HSET', KEYS[1], 'secretHash', '', 'previousSecretHash', '', 'previousSecretValidUntil', 0)
        return generation
        """;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Byoc.Conversations.Registry.IssuedSecrets.v1");

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Valid when the secret matches the current one, or the previous one within its overlap.</summary>
    public async Task<VerifiedClient?> VerifyAsync(string clientId, string clientSecret)
    {
        var integrationId = await Db.HashGetAsync(RedisKeys.ClientIds, clientId);
        if (integrationId.IsNullOrEmpty)
        {
            return null;
        }

        var state = await ReadAsync(integrationId!);
        long? generation = ClientSecrets.Matches(clientSecret, state.CurrentHash) ? state.Generation
            : state.PreviousValid && ClientSecrets.Matches(clientSecret, state.PreviousHash) ? state.Generation - 1
            : null;
        return generation is { } g && await registry.GetIntegrationAsync(integrationId!) is { } integration ? new VerifiedClient(integration, g) : null;
    }

    /// <summary>Whether a client id names an integration (asked only after a failed verification, for the log).</summary>
    public async Task<bool> IsKnownClientAsync(string clientId) => await Db.HashExistsAsync(RedisKeys.ClientIds, clientId);

    /// <summary>The generations whose tokens are honoured: the current secret's, and the previous one's within its overlap.</summary>
    public async Task<IReadOnlyList<long>?> AcceptedGenerationsAsync(string integrationId)
    {
        if (!await Db.KeyExistsAsync(RedisKeys.Integration(integrationId)))
        {
            return null;
        }

        var state = await ReadAsync(integrationId);
        return state.PreviousValid ? [state.Generation, state.Generation - 1] : [state.Generation];
    }

    /// <summary>
    /// A new secret; the current one stays valid for <paramref name="overlap"/> (zero revokes it). With an
    /// idempotency key, a repeated call answers what the first did.
    /// </summary>
    public async Task<IssuedSecret> RotateAsync(string integrationId, TimeSpan overlap, string? idempotencyKey)
    {
        var secret = ClientSecrets.Generate();
        var fingerprint = string.Create(CultureInfo.InvariantCulture, $"{integrationId}\n{(long)overlap.TotalMilliseconds}");
        RedisKey[] keys = string.IsNullOrEmpty(idempotencyKey)
            ? [RedisKeys.Integration(integrationId)]
            : [RedisKeys.Integration(integrationId), RedisKeys.SecretRotation(integrationId, KeyDigest(idempotencyKey))];
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RotateScript, keys,
        [
            ClientSecrets.Hash(secret), (long)overlap.TotalMilliseconds, time.GetUtcNow().ToUnixTimeMilliseconds(),
            fingerprint, _protector.Protect(secret), (long)AnswerRetention.TotalSeconds,
        ]))!;

        var outcome = (string)result[0]!;
        if (outcome == "missing")
        {
            throw new KeyNotFoundException($"No integration '{integrationId}'.");
        }

        using var answer = JsonDocument.Parse((string)result[1]!);
        var root = answer.RootElement;
        if (root.GetProperty("fingerprint").GetString() != fingerprint)
        {
            throw new IdempotencyKeyReusedException("idempotency_key was used for a rotation with another previous_secret_overlap");
        }

        var until = long.Parse(root.GetProperty("previousUntil").GetString()!, CultureInfo.InvariantCulture);
        return new IssuedSecret(
            root.GetProperty("clientId").GetString()!,
            _protector.Unprotect(root.GetProperty("secret").GetString()!),
            until > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(until) : null,
            long.Parse(root.GetProperty("generation").GetString()!, CultureInfo.InvariantCulture));
    }

    /// <summary>Ends the previous secret's overlap now (and so the tokens issued to it); answers the current generation.</summary>
    public async Task<long> RevokePreviousAsync(string integrationId)
    {
        var generation = (long)await Db.ScriptEvaluateAsync(RevokeScript, [RedisKeys.Integration(integrationId)]);
        return generation < 0 ? throw new KeyNotFoundException($"No integration '{integrationId}'.") : generation;
    }

    /// <summary>Every secret stops working now, and with them every token issued to them; answers the new generation.</summary>
    public async Task<long> RevokeAllAsync(string integrationId)
    {
        var generation = (long)await Db.ScriptEvaluateAsync(RevokeAllScript, [RedisKeys.Integration(integrationId)]);
        return generation < 0 ? throw new KeyNotFoundException($"No integration '{integrationId}'.") : generation;
    }

    /// <summary>Until when the previous secret still works, when a rotation's overlap is running.</summary>
    public async Task<(long Generation, DateTimeOffset? PreviousValidUntil)> StateAsync(string integrationId)
    {
        var state = await ReadAsync(integrationId);
        var until = (long?)await Db.HashGetAsync(RedisKeys.Integration(integrationId), "previousSecretValidUntil");
        return (state.Generation, state.PreviousValid && until is > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(until.Value) : null);
    }

    private async Task<SecretState> ReadAsync(string integrationId)
    {
        var values = await Db.HashGetAsync(RedisKeys.Integration(integrationId), ["secretHash", "previousSecretHash", "previousSecretValidUntil", "secretGeneration"]);
        var previousValid = !values[1].IsNullOrEmpty
            && long.TryParse((string?)values[2], CultureInfo.InvariantCulture, out var until)
            && time.GetUtcNow().ToUnixTimeMilliseconds() < until;
        var generation = long.TryParse((string?)values[3], CultureInfo.InvariantCulture, out var g) ? g : 0;
        return new SecretState(values[0], values[1], previousValid, generation);
    }

    // Bounded and free of braces whatever the caller sent: the key is part of a Redis key.
    private static string KeyDigest(string idempotencyKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..32];

    private readonly record struct SecretState(string? CurrentHash, string? PreviousHash, bool PreviousValid, long Generation);
}
