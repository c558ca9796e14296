using System.Text;
using System.Text.RegularExpressions;

namespace Byoc.ServiceDefaults;

/// <summary>
/// Finds credentials in URLs (some APIs put them in the path; any client may put one in the query string), so traces
/// and logs can carry the URL without them.
/// </summary>
public static partial class SecretsInUrls
{
    private const string Redacted = "Redacted";

    /// <summary>
    /// The URL with path credentials replaced by <c>{redacted}</c> and every query value by <c>Redacted</c> (the
    /// names stay), or null when it holds neither.
    /// </summary>
    public static string? Redact(string url)
    {
        var queryAt = url.IndexOf('?', StringComparison.Ordinal);
        var path = queryAt < 0 ? url : url[..queryAt];
        var redacted = BotToken().Replace(path, "/bot{redacted}/") + (queryAt < 0 ? "" : RedactQuery(url[queryAt..]));
        return redacted == url ? null : redacted;
    }

    /// <summary>
    /// A query string (with its <c>?</c>) with each value replaced by <c>Redacted</c>: <c>?a=1&amp;b</c> becomes
    /// <c>?a=Redacted&amp;b</c>. Unlike OpenTelemetry's own redaction this does not depend on the environment (Aspire
    /// turns that off for local runs), so a client secret a caller put in the query never reaches a trace.
    /// </summary>
    public static string RedactQuery(string query)
    {
        if (query.Length <= 1)
        {
            return query;
        }

        var text = new StringBuilder(query.Length);
        text.Append('?');
        var first = true;
        foreach (var pair in query.TrimStart('?').Split('&'))
        {
            if (!first)
            {
                text.Append('&');
            }

            first = false;
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            text.Append(equals < 0 ? pair : $"{pair[..equals]}={Redacted}");
        }

        return text.ToString();
    }

    // Telegram: /bot123456:ABC-DEF.../method and /file/bot123456:ABC.../path
    [GeneratedRegex(@"/bot\d+:[A-Za-z0-9_-]+/", RegexOptions.CultureInvariant)]
    private static partial Regex BotToken();
}
