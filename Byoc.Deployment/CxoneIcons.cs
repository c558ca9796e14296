namespace Byoc.Deployment;

/// <summary>
/// CXone's <c>externalPlatformIcon</c> enum (cxone-contract §3.2, 44 values). A point of contact with another value is
/// refused by CXone, and one without an icon can fail replies, so a bad icon is caught before anything is registered.
/// The sandbox's simulator keeps its own copy on purpose: it plays CXone, and must not share Byoc's assumptions.
/// </summary>
public static class CxoneIcons
{
    public static readonly IReadOnlySet<string> All = new SortedSet<string>(StringComparer.Ordinal)
    {
        "amazon", "apple", "apple-apps", "apple-imessage", "co-browsing", "contact-form", "email", "facebook", "facebook-dm",
        "facebook-messenger", "forum", "google", "google-dm", "google-maps", "google-play", "google-search", "instagram",
        "instagram-dm", "kakao-talk", "kik", "line-message", "linkedin", "listening", "livechat", "livechat-contact-form",
        "ok-ru", "pinterest", "rcs", "rss", "slack", "sms", "snapchat", "tango", "telegram", "tumblr", "twitter", "twitter-dm",
        "viber", "vkontakte", "vkontakte-dm", "voice", "wechat", "whatsapp", "youtube",
    };

    public static bool IsValid(string? icon) => icon is not null && All.Contains(icon);

    /// <summary>A message naming the setting, the value found and every valid one.</summary>
    public static string Invalid(string setting, string? icon) =>
        $"{setting}: '{icon}' is not one of CXone's externalPlatformIcon values: {string.Join(", ", All)}.";
}
