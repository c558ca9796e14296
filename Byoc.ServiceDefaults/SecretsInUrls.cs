using System.Text.RegularExpressions;

namespace Byoc.ServiceDefaults;

/// <summary>Finds credentials that some APIs put in URL paths, so traces and logs can carry the URL without them.</summary>
public static partial class SecretsInUrls
{
    /// <summary>The URL with path credentials replaced by <c>{redacted}</c>, or null when it holds none.</summary>
    public static string? Redact(string url)
    {
        var redacted = BotToken().Replace(url, "/bot{redacted}/");
        return ReferenceEquals(redacted, url) || redacted == url ? null : redacted;
    }

    // Telegram: /bot123456:ABC-DEF.../method and /file/bot123456:ABC.../path
    [GeneratedRegex(@"/bot\d+:[A-Za-z0-9_-]+/", RegexOptions.CultureInvariant)]
    private static partial Regex BotToken();
}
