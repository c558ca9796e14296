using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Byoc.Edge.Cxone;

/// <summary>
/// The CXone body as kept in the message timeline: values of properties that look like credentials replaced,
/// then cut to a size cap, so the timeline never holds a secret and never grows without bound.
/// </summary>
public static class RawRequest
{
    public const string Redacted = "[redacted]";
    private static readonly string[] SecretNames = ["token", "secret", "password", "authorization", "apikey", "api_key", "accesskey", "access_key", "signature"];

    public static ByteString ForTimeline(byte[] body, int cap)
    {
        byte[] redacted;
        try
        {
            var node = JsonNode.Parse(body);
            Redact(node);
            redacted = node is null ? body : JsonSerializer.SerializeToUtf8Bytes(node, CxoneNodeJson.Default.JsonNode);
        }
        catch (JsonException)
        {
            // Not JSON: nothing can be redacted reliably, so nothing is kept.
            return ByteString.Empty;
        }

        return ByteString.CopyFrom(redacted, 0, Math.Min(redacted.Length, cap));
    }

    private static void Redact(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (SecretNames.Any(s => name.Contains(s, StringComparison.OrdinalIgnoreCase)))
                    {
                        obj[name] = Redacted;
                    }
                    else
                    {
                        Redact(obj[name]);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Redact(item);
                }

                break;
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonNode))]
internal sealed partial class CxoneNodeJson : System.Text.Json.Serialization.JsonSerializerContext;
