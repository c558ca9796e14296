using System.Text;
using CsCheck;

namespace Byoc.EndToEnd.Tests.Hostile;

/// <summary>One generated request an attacker or a broken client could send to a public endpoint.</summary>
public sealed record HostileCase(string Endpoint, string Kind, HttpMethod Method, string Path, byte[]? Body, string? ContentType, (string Name, string Value)[] Headers)
{
    public override string ToString() =>
        $"{Endpoint}/{Kind}: {Method} {(Path.Length > 120 ? Path[..120] + "…" : Path)} ({ContentType ?? "no content type"}, {Body?.Length ?? 0} bytes: {Preview})";

    private string Preview => Body is null ? "" : System.Text.Json.JsonSerializer.Serialize(System.Text.Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 160)));
}

/// <summary>
/// Generators of hostile bodies, ids and headers. Every body is broken by construction (never a valid request that
/// would send something), and carries <see cref="Marker"/> where it carries text, so a test can prove nothing of it
/// was stored or sent.
/// </summary>
public static class HostileInput
{
    public static readonly string Marker = $"hostile-{Guid.NewGuid():N}";

    /// <summary>
    /// Ids an attacker puts in a path or a parameter: separators, wildcards, traversal, control characters, very long.
    /// (A NUL in the path is refused by Kestrel itself; <c>A_NUL_in_the_path_is_refused_before_any_endpoint_runs</c>.)
    /// </summary>
    public static readonly Gen<string> PathId = Gen.OneOf(
        Gen.Const("*"), Gen.Const("a:b"), Gen.Const("a%3Ab"), Gen.Const("..%2F..%2Fetc"), Gen.Const("%0D%0ASet-Cookie:%20x=1"),
        Gen.Const("{channelId}"), Gen.Const("byoc:v1:*"), Gen.Const("%F0%9F%98%80"), Gen.Const(new string('x', 3000)),
        Gen.String[Gen.Char[":*?[]{}|\\ -_.~"], 1, 20].Select(Uri.EscapeDataString),
        Gen.String[Gen.Char.AlphaNumeric, 1, 40].Select(s => $"{Marker}-{s}"));

    /// <summary>A body that cannot be a valid request: each kind one way JSON and HTTP bodies go wrong.</summary>
    public static Gen<(string Kind, byte[] Body)> BrokenJson(string validShape) => Gen.OneOf(
        Gen.Int[1, Math.Max(1, validShape.Length - 1)].Select(n => ("truncated JSON", Utf8(validShape[..n]))),
        Gen.Const(("empty body", Array.Empty<byte>())),
        Gen.Const(("whitespace only", Utf8("   \n\t "))),
        Gen.Const(("JSON null", Utf8("null"))),
        Gen.OneOf(Gen.Const("42"), Gen.Const("\"text\""), Gen.Const("true"), Gen.Const("[]"), Gen.Const("[{}]")).Select(b => ("wrong top-level type", Utf8(b))),
        // Not numbers: CXone sends some ids as numbers, so a number where a string is expected is read as its text.
        Gen.OneOf(Gen.Const("[]"), Gen.Const("{}"), Gen.Const("true"), Gen.Const("[\"a\"]"), Gen.Const("{\"$ref\":\"x\"}")).Select(v => ("wrong field types", Utf8(WrongTypes(validShape, v)))),
        Gen.Const(("missing fields", Utf8("{}"))),
        Gen.String[Gen.Char.AlphaNumeric, 1, 12].Select(k => ("unknown fields only", Utf8($$$"""{"{{{k}}}":"{{{Marker}}}","__proto__":{"admin":true}}"""))),
        Gen.Int[1, 6].Select(n => ("invalid UTF-8", InvalidUtf8(n))),
        Gen.Int[200_000, 600_000].Select(n => ("huge string", Utf8(WrongTypes(validShape, "[]")[..^1] + $",\"huge\":\"{Marker}{new string('a', n)}\"}}"))),
        Gen.Int[20_000, 60_000].Select(n => ("huge array", Utf8("{\"recipients\":[" + string.Join(',', Enumerable.Repeat("1", n)) + "]}"))),
        Gen.Int[70, 3000].Select(n => ("deep nesting", Utf8(new string('[', n) + new string(']', n)))),
        Gen.Int[70, 3000].Select(n => ("deep object nesting", Utf8(string.Concat(Enumerable.Repeat("{\"a\":", n)) + "1" + new string('}', n)))),
        Gen.Const(("duplicate keys", Utf8($$$"""{"thread":1,"thread":{"idOnExternalPlatform":"{{{Marker}}}"},"messageContent":2,"messageContent":[]}"""))),
        Gen.Const(("lone surrogate escape", Utf8("{\"thread\":{\"idOnExternalPlatform\":\"\\uD800\"},\"messageContent\":7}"))),
        Gen.Const(("comments and trailing commas", Utf8("{/* x */ \"thread\": 5,}"))),
        Gen.Const(("byte order mark then garbage", (byte[])[0xEF, 0xBB, 0xBF, .. Utf8("<xml/>")])));

    /// <summary>Content types a client may wrongly send (the right one is added by the caller).</summary>
    public static readonly Gen<string?> WrongContentType = Gen.OneOf<string?>(
        Gen.Const((string?)null), Gen.Const<string?>("text/plain"), Gen.Const<string?>("application/xml"),
        Gen.Const<string?>("multipart/form-data; boundary=x"), Gen.Const<string?>("application/json; charset=utf-7"), Gen.Const<string?>("image/png"));

    /// <summary>Bearer tokens that are not Byoc's: random, unsigned, re-signed, or another scheme.</summary>
    public static Gen<(string Kind, string Header)> ForgedAuthorization(string validToken) => Gen.OneOf(
        Gen.String[Gen.Char.AlphaNumeric, 10, 400].Select(t => ("random bearer", $"Bearer {t}")),
        Gen.Const(("unsigned JWT (alg none)", "Bearer " + Base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Base64Url("{\"sub\":\"byoc-demo-client\",\"exp\":4102444800}") + ".")),
        Gen.Int[0, Math.Max(0, validToken.Length - 2)].Select(i => ("tampered token", "Bearer " + validToken[..i] + (validToken[i] == 'A' ? 'B' : 'A') + validToken[(i + 1)..])),
        Gen.Const(("truncated token", "Bearer " + validToken[..(validToken.Length / 2)])),
        Gen.Const(("empty bearer", "Bearer ")),
        Gen.Const(("basic instead of bearer", "Basic YnlvYy1kZW1vLWNsaWVudDpieW9jLWRlbW8tc2VjcmV0LWNoYW5nZS1tZQ==")),
        Gen.Const(("token in wrong scheme", "Token " + validToken)),
        Gen.Const(("two tokens", $"Bearer {validToken}, Bearer {validToken}")));

    private static byte[] InvalidUtf8(int lead) => [.. Utf8("{\"text\":\""), .. Enumerable.Repeat((byte)0xC3, lead), 0x28, 0xFF, 0xFE, .. Utf8("\"}")];

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Base64Url(string text) => Convert.ToBase64String(Utf8(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // Every "…": string value of the shape becomes the given JSON value (a number, an array...), so the shape stays
    // recognisable but no field has its type.
    private static string WrongTypes(string shape, string value) =>
        System.Text.RegularExpressions.Regex.Replace(shape, "\"([A-Za-z]+)\":\"[^\"]*\"", $"\"$1\":{value}");
}
