using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Byoc.Edge.Cxone;

/// <summary>
/// Derives the idempotency key of a CXone request. CXone retries a callback with the same body, so the key is a
/// hash of who asked (integration), where (channel, thread), which operation, and the body in a canonical form
/// (properties sorted, insignificant whitespace dropped): a retry gets the same key, any other request a new one.
/// </summary>
public static class IdempotencyKeys
{
    public static string ForCxoneRequest(string operation, string integrationId, string channelId, string threadId, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in new[] { operation, integrationId, channelId, threadId })
        {
            // Length-prefixed so that ("ab", "c") and ("a", "bc") differ.
            var bytes = Encoding.UTF8.GetBytes(part);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }

        hash.AppendData(Canonical(body));
        return $"cxone:{operation}:{Convert.ToHexStringLower(hash.GetHashAndReset())}";
    }

    /// <summary>
    /// The id CXone gave this request, when it sent one: an <c>Idempotency-Key</c> header, else a top-level <c>id</c>
    /// in the body (not a tracing id such as X-Request-Id, which may change on each attempt). The same id on a retry, another for the agent's next message even with the
    /// same words; null when there is none (then only the content key is left).
    /// </summary>
    public static string? CxoneRequestId(IHeaderDictionary headers, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers["Idempotency-Key"].ToString() is { Length: > 0 and <= 200 } value)
        {
            return value;
        }

        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id)
                && id.ValueKind is JsonValueKind.String or JsonValueKind.Number && id.ToString() is { Length: > 0 and <= 200 } text ? text : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The body with object properties sorted by name and no whitespace; the bytes themselves if not JSON.</summary>
    public static byte[] Canonical(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            using var output = new MemoryStream();
            using (var writer = new Utf8JsonWriter(output))
            {
                Write(document.RootElement, writer);
            }

            return output.ToArray();
        }
        catch (JsonException)
        {
            return body.ToArray();
        }
    }

    private static void Write(JsonElement element, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(property.Value, writer);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(item, writer);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
