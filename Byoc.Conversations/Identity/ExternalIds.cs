using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Byoc.Conversations.V1;

namespace Byoc.Conversations.Identity;

/// <summary>
/// The <c>idOnExternalPlatform</c> values Byoc gives CXone. Deterministic (a retry yields the same id, so CXone
/// updates instead of duplicating) and namespaced by connector, platform account and kind, so the same native id
/// on two platforms, two accounts or as two kinds of object never yields the same CXone id (the seed's
/// Instagram/Facebook collision). The id is a readable prefix plus 130 bits of SHA-256 over the length-prefixed
/// parts: bounded in length whatever the native id holds (colons, newlines, 4 KB, any script).
/// </summary>
public static class ExternalIds
{
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const int HashCharacters = 26;

    public static string Derive(string connector, string accountId, IdKind kind, string nativeId) =>
        Derive(connector, accountId, KindWord(kind), nativeId);

    /// <summary>The idOnExternalPlatform of a point of contact: its platform account.</summary>
    public static string DeriveChannel(string connector, string accountId) => Derive(connector, accountId, "channel", accountId);

    private static string Derive(string connector, string accountId, string kindWord, string nativeId)
    {
        var digest = SHA256.HashData(Encode(connector, accountId, kindWord, nativeId));
        return $"{Slug(connector)}-{kindWord}-{Base32(digest)[..HashCharacters]}";
    }

    public static string KindWord(IdKind kind) => kind switch
    {
        IdKind.Thread => "thread",
        IdKind.Message => "msg",
        IdKind.EndUser => "user",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "An id needs a kind."),
    };

    // Each part is preceded by its byte length, so no choice of parts can run into the next one.
    private static byte[] Encode(params string[] parts)
    {
        var encoded = parts.Select(Encoding.UTF8.GetBytes).ToArray();
        var buffer = new byte[encoded.Sum(p => p.Length + 4)];
        var offset = 0;
        foreach (var part in encoded)
        {
            BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(offset), part.Length);
            part.CopyTo(buffer, offset + 4);
            offset += part.Length + 4;
        }

        return buffer;
    }

    private static string Slug(string connector)
    {
        var slug = new string([.. connector.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(16)]);
        return slug.Length == 0 ? "x" : slug;
    }

    private static string Base32(byte[] bytes)
    {
        var text = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Base32Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(Base32Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }
}
