using System.Text.Json;
using System.Text.RegularExpressions;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// The JSON-path subset account settings use to point into a platform's payload (the generic webhook connector's mappings): <c>$</c>, <c>.name</c>,
/// <c>['name']</c> and <c>[index]</c>, as in <c>$.message.attachments[0]['file name']</c>. No filters or
/// wildcards: a mapping names one value, and a small grammar is one nobody can misconfigure into a slow query.
/// </summary>
public static partial class JsonPath
{
    /// <summary>The value at <paramref name="path"/>, or null when any step is missing.</summary>
    public static JsonElement? Select(JsonElement root, string path)
    {
        var steps = Step().Matches(path, Math.Min(1, path.Length));
        // Matches do not overlap, so covering every character after the $ means the path is all steps.
        if (!path.StartsWith('$') || steps.Sum(s => s.Length) != path.Length - 1)
        {
            throw new FormatException($"the JSON path '{path}' is not in the supported subset ($.a.b[0]['c'])");
        }

        var at = root;
        foreach (Match step in steps)
        {
            if (step.Groups["index"].Success)
            {
                if (at.ValueKind != JsonValueKind.Array || !int.TryParse(step.Groups["index"].Value, out var i) || i >= at.GetArrayLength())
                {
                    return null;
                }

                at = at[i];
            }
            else if (at.ValueKind != JsonValueKind.Object || !at.TryGetProperty(step.Groups["name"].Success ? step.Groups["name"].Value : step.Groups["quoted"].Value, out at))
            {
                return null;
            }
        }

        return at;
    }

    /// <summary>The value at <paramref name="path"/> as text (numbers as written), or null when absent or null.</summary>
    public static string? Text(JsonElement root, string? path) =>
        string.IsNullOrEmpty(path) ? null : Select(root, path) switch
        {
            { ValueKind: JsonValueKind.String } e => e.GetString(),
            { ValueKind: JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } e => e.GetRawText(),
            _ => null,
        };

    /// <summary>The value at <paramref name="path"/> in a JSON document as text, or null when absent or not JSON (a platform's answer).</summary>
    public static string? Text(ReadOnlyMemory<byte> json, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Text(document.RootElement, path);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\[(?<index>\d+)\]|\['(?<quoted>[^']*)'\]", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, 100)]
    private static partial Regex Step();
}
