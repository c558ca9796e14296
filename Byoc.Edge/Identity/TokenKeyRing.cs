using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace Byoc.Edge.Identity;

/// <summary>
/// The keys that sign (RSA) and encrypt (AES) the Edge's tokens. Every replica must use the same keys, and they must
/// survive restarts, or CXone's token stops working when it lands on another replica. They live in Redis, protected
/// by Data Protection (whose key ring is in Redis too). The first replica to start writes them with SET NX; every
/// replica then reads back whatever won, so two replicas starting together agree.
/// </summary>
public sealed class TokenKeyRing(IConnectionMultiplexer redis, IDataProtectionProvider dataProtection, ILogger<TokenKeyRing> logger)
{
    public const string RedisKey = "byoc:v1:edge:token-keys";
    private const string Purpose = "Byoc.Edge.TokenKeys.v1";
    private (RsaSecurityKey Signing, SymmetricSecurityKey Encryption)? _loaded;
    private readonly Lock _gate = new();

    public RsaSecurityKey SigningKey => Load().Signing;

    public SymmetricSecurityKey EncryptionKey => Load().Encryption;

    private (RsaSecurityKey Signing, SymmetricSecurityKey Encryption) Load()
    {
        lock (_gate)
        {
            return _loaded ??= ReadOrCreate();
        }
    }

    private (RsaSecurityKey, SymmetricSecurityKey) ReadOrCreate()
    {
        var protector = dataProtection.CreateProtector(Purpose);
        var database = redis.GetDatabase();

        if (!database.KeyExists(RedisKey))
        {
            using var fresh = RSA.Create(2048);
            var candidate = $"{Convert.ToBase64String(fresh.ExportPkcs8PrivateKey())}.{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";
            if (database.StringSet(RedisKey, protector.Protect(candidate), when: When.NotExists))
            {
                logger.LogInformation("Created the token signing and encryption keys in Redis");
            }
        }

        var stored = (string?)database.StringGet(RedisKey)
            ?? throw new InvalidOperationException($"The token keys vanished from Redis ({RedisKey}) right after being written.");
        var parts = protector.Unprotect(stored).Split('.');

        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(Convert.FromBase64String(parts[0]), out _);
        var signing = new RsaSecurityKey(rsa);
        // A key id derived from the public key: identical on every replica, so tokens name the key that validates them.
        signing.KeyId = Convert.ToHexStringLower(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16];
        var encryption = new SymmetricSecurityKey(Convert.FromBase64String(parts[1]));
        return (signing, encryption);
    }
}
