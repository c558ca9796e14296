using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace Byoc.Edge.Identity;

/// <summary>
/// The keys that sign (ECDSA P-256, ES256) and encrypt (AES) the Edge's tokens. Every replica must use the same keys, and they must
/// survive restarts, or CXone's token stops working when it lands on another replica. They live in Redis, protected
/// by Data Protection (whose key ring is in Redis too). The first replica to start writes them with SET NX; every
/// replica then reads back whatever won, so two replicas starting together agree.
/// ES256 rather than RS256: CXone treats the token as an opaque string, and signing with P-256 costs a small fraction
/// of an RSA-2048 signature, which was most of the token endpoint's CPU (docs/benchmarks.md). The RSA keys of earlier
/// versions (<c>byoc:v1:edge:token-keys</c>) are no longer read: a token they signed gets 401, and CXone fetches a new one.
/// </summary>
public sealed class TokenKeyRing(IConnectionMultiplexer redis, IDataProtectionProvider dataProtection, ILogger<TokenKeyRing> logger)
{
    public const string RedisKey = "byoc:v1:edge:token-keys:es256";
    private const string Purpose = "Byoc.Edge.TokenKeys.v2";
    private (ECDsaSecurityKey Signing, SymmetricSecurityKey Encryption)? _loaded;
    private readonly Lock _gate = new();

    public ECDsaSecurityKey SigningKey => Load().Signing;

    public SymmetricSecurityKey EncryptionKey => Load().Encryption;

    private (ECDsaSecurityKey Signing, SymmetricSecurityKey Encryption) Load()
    {
        lock (_gate)
        {
            return _loaded ??= ReadOrCreate();
        }
    }

    private (ECDsaSecurityKey, SymmetricSecurityKey) ReadOrCreate()
    {
        var protector = dataProtection.CreateProtector(Purpose);
        var database = redis.GetDatabase();

        if (!database.KeyExists(RedisKey))
        {
            using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var candidate = $"{Convert.ToBase64String(fresh.ExportPkcs8PrivateKey())}.{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";
            if (database.StringSet(RedisKey, protector.Protect(candidate), when: When.NotExists))
            {
                logger.LogInformation("Created the token signing and encryption keys in Redis");
            }
        }

        var stored = (string?)database.StringGet(RedisKey)
            ?? throw new InvalidOperationException($"The token keys vanished from Redis ({RedisKey}) right after being written.");
        var parts = protector.Unprotect(stored).Split('.');

        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(parts[0]), out _);
        var signing = new ECDsaSecurityKey(ecdsa);
        // A key id derived from the public key: identical on every replica, so tokens name the key that validates them.
        signing.KeyId = Convert.ToHexStringLower(SHA256.HashData(ecdsa.ExportSubjectPublicKeyInfo()))[..16];
        var encryption = new SymmetricSecurityKey(Convert.FromBase64String(parts[1]));
        return (signing, encryption);
    }
}
