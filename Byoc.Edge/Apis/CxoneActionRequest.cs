using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Byoc.Edge.Apis;

/// <summary>
/// CXone's call to a Reconnect or Remove URL, whose shape is not public: its fields from the query, a form or a JSON
/// body (top-level, and one level down, e.g. <c>{"channel": {"id": ...}}</c>), names matched without case, and the
/// request as it came with every credential-looking value redacted, for the log.
/// </summary>
public sealed class CxoneActionRequest
{
    private const int BodyCap = 64 * 1024;
    private const string Redaction = "[redacted]";
    private static readonly string[] SecretNames = ["token", "secret", "password", "authorization", "apikey", "api_key", "accesskey", "signature", "cookie"];
    private static readonly string[] ChannelNames = ["channelId", "channel_id", "channelIdOnExternalPlatform", "idOnExternalPlatform", "pointOfContactId", "channel"];
    private static readonly string[] LoggedHeaders = ["Content-Type", "User-Agent", "Accept", "Origin"];

    private readonly Dictionary<string, string> _fields = new(StringComparer.OrdinalIgnoreCase);

    public string Redacted { get; private set; } = string.Empty;

    public string? Get(string name) => _fields.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public int? GetInt(string name) => int.TryParse(Get(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    public string? ChannelId() => ChannelNames.Select(n => Get(n) ?? Get($"channel.{n}")).FirstOrDefault(v => v is not null)
        ?? Get("channel.id") ?? Get("pointOfContact.id") ?? Get("id");

    public static async Task<CxoneActionRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var read = new CxoneActionRequest();
        foreach (var (key, value) in request.Query)
        {
            read._fields.TryAdd(key, value.ToString());
        }

        string body = string.Empty;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            foreach (var (key, value) in form)
            {
                read._fields.TryAdd(key, value.ToString());
            }

            body = string.Join('&', form.Select(f => $"{f.Key}={(IsSecret(f.Key) ? Redaction : f.Value.ToString())}"));
        }
        else if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var buffer = new char[BodyCap];
            var length = await reader.ReadBlockAsync(buffer, cancellationToken);
            var text = new string(buffer, 0, length);
            try
            {
                using var json = JsonDocument.Parse(text);
                if (json.RootElement.ValueKind == JsonValueKind.Object)
                {
                    read.Add(json.RootElement, prefix: null, depth: 0);
                }

                body = Redact(json.RootElement);
            }
            catch (JsonException)
            {
                // Not JSON: nothing can be redacted reliably, so only its size is logged.
                body = $"({length} characters, not JSON)";
            }
        }

        var query = string.Join('&', request.Query.Select(q => $"{q.Key}={(IsSecret(q.Key) ? Redaction : q.Value.ToString())}"));
        var headers = string.Join(", ", LoggedHeaders.Where(h => request.Headers.ContainsKey(h)).Select(h => $"{h}: {request.Headers[h]}"));
        read.Redacted = $"{request.Path}?{query} [{headers}] {body}";
        return read;
    }

    private static bool IsSecret(string name) => SecretNames.Any(s => name.Contains(s, StringComparison.OrdinalIgnoreCase));

    private void Add(JsonElement obj, string? prefix, int depth)
    {
        foreach (var property in obj.EnumerateObject())
        {
            var name = prefix is null ? property.Name : $"{prefix}.{property.Name}";
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String:
                    _fields.TryAdd(name, property.Value.GetString()!);
                    break;
                case JsonValueKind.Number:
                    _fields.TryAdd(name, property.Value.GetRawText());
                    break;
                case JsonValueKind.Object when depth == 0:
                    Add(property.Value, name, depth + 1);
                    break;
            }
        }
    }

    private static string Redact(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().Select(p =>
            $"{JsonSerializer.Serialize(p.Name, CxoneActionJson.Default.String)}:{(IsSecret(p.Name) ? $"\"{Redaction}\"" : Redact(p.Value))}")) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Redact)) + "]",
        _ => element.GetRawText(),
    };
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class CxoneActionJson : System.Text.Json.Serialization.JsonSerializerContext;
