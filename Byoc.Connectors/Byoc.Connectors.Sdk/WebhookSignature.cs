using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// HMAC-SHA256 webhook signatures over the raw body, the scheme most platforms use: the signature covers
/// <c>{timestamp}.{body}</c>, is compared in constant time, and a timestamp outside the window is refused so a
/// captured webhook cannot be replayed later.
/// </summary>
public static class WebhookSignature
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(5);

    /// <summary>Lowercase hex HMAC-SHA256 of <c>{timestamp}.{body}</c> (for platforms, simulators and tests).</summary>
    public static string Sign(string secret, long unixTimestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(unixTimestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)).ToLowerInvariant();
    }

    /// <summary>Throws <see cref="WebhookRejectedException"/> unless the signature and timestamp are right.</summary>
    /// <param name="signature">The hex signature, with or without a <c>sha256=</c> prefix.</param>
    public static void Verify(string secret, string? timestamp, string? signature, ReadOnlySpan<byte> body, TimeProvider time, TimeSpan? window = null)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(timestamp))
        {
            throw new WebhookRejectedException("the webhook is not signed");
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            throw new WebhookRejectedException("the webhook's timestamp is not a number");
        }

        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age.Duration() > (window ?? DefaultWindow))
        {
            throw new WebhookRejectedException("the webhook's timestamp is outside the accepted window");
        }

        var presented = signature.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase) ? signature[7..] : signature;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, seconds, body));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(presented.ToLowerInvariant())))
        {
            throw new WebhookRejectedException("the webhook's signature does not match");
        }
    }

    /// <summary>Constant-time comparison of a shared secret token (platforms that send a token instead of a signature).</summary>
    public static void VerifyToken(string expected, string? presented)
    {
        if (presented is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented)))
        {
            throw new WebhookRejectedException("the webhook's secret token does not match");
        }
    }
}
