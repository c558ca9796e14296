using System.ComponentModel.DataAnnotations;

namespace Byoc.Edge;

/// <summary>The Edge's own settings (section <c>Edge</c>), validated at start-up.</summary>
public sealed class EdgeOptions
{
    public const string Section = "Edge";

    /// <summary>Largest request body accepted on any CXone route; larger ones get 413.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How much of a CXone request body (secrets redacted) is kept in the message timeline.</summary>
    [Range(0, 1024 * 1024)]
    public int RawRequestCapBytes { get; set; } = 64 * 1024;

    /// <summary>Deadline of every call to Conversations: CXone must get an answer, never a hang.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ConversationsDeadline { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The <c>Retry-After</c> sent with a 503 while Conversations or a connector is unavailable.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>The token endpoint CXone calls (section <c>Edge:Token</c>).</summary>
public sealed class CxoneTokenOptions
{
    public const string Section = "Edge:Token";
    public const string DefaultPath = "/1.0/token";

    /// <summary>
    /// Extra paths answering as the token endpoint, for integrations whose Authorization URL is not
    /// <c>{box}/1.0/token</c>. Each starts with '/'.
    /// </summary>
    public List<string> AuthorizationPaths { get; set; } = [];

    /// <summary>Set it behind a proxy so tokens carry the public address; otherwise the request's address is used.</summary>
    public Uri? Issuer { get; set; }

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Wrong attempts per (client id, address) within <see cref="FailureWindow"/> answered without delay.</summary>
    [Range(0, 10_000)]
    public int FreeFailures { get; set; } = 3;

    /// <summary>The delay of the first wrong attempt past the free ones; it doubles with each further one.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan FailureDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest a wrong attempt's answer waits.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxFailureDelay { get; set; } = TimeSpan.FromSeconds(4);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long the Edge waits at start for Redis to give it the token keys before it listens all the same.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan KeysWaitAtStart { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> AllPaths() => AuthorizationPaths.Prepend(DefaultPath).Distinct(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The admin API (section <c>Edge:Admin</c>).</summary>
public sealed class AdminOptions
{
    public const string Section = "Edge:Admin";

    /// <summary>
    /// The key callers put in <c>X-Api-Key</c>. Empty turns the admin API off (every call answers 401):
    /// Entra ID sign-in replaces it with the admin UI.
    /// </summary>
    public string? ApiKey { get; set; }

    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan DefaultSecretOverlap { get; set; } = TimeSpan.FromHours(24);
}
