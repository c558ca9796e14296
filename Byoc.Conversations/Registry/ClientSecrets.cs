using System.Security.Cryptography;
using System.Text;

namespace Byoc.Conversations.Registry;

/// <summary>
/// Client secrets CXone presents to the Edge. They are generated with 256 bits of entropy, so a plain SHA-256 is
/// a safe hash (no password stretching needed); comparison is constant-time.
/// </summary>
public static class ClientSecrets
{
    public static string Generate() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string GenerateClientId() => "byoc-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(10)).ToLowerInvariant();

    public static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret))).ToLowerInvariant();

    public static bool Matches(string secret, string? storedHash)
    {
        if (string.IsNullOrEmpty(storedHash))
        {
            return false;
        }

        var presented = Encoding.ASCII.GetBytes(Hash(secret));
        var stored = Encoding.ASCII.GetBytes(storedHash);
        return CryptographicOperations.FixedTimeEquals(presented, stored);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
