namespace Byoc.Sandbox.Junglebook;

/// <summary>The simulated Junglebook network (section <c>Sandbox:Junglebook</c>): its company profiles and where webhooks go.</summary>
public sealed class JunglebookOptions
{
    public const string Section = "Sandbox:Junglebook";

    /// <summary>Webhooks of profile P go to <c>{WebhookBaseUrl}/{P}</c>; by default the Edge, found by service discovery.</summary>
    public string WebhookBaseUrl { get; set; } = "http://edge/hooks/junglebook";

    public Dictionary<string, JunglebookProfile> Profiles { get; set; } = new()
    {
        ["monkey-kingdom"] = new() { Name = "Monkey Kingdom", Token = "jb-token-monkey-kingdom", WebhookSecret = "jb-webhook-secret-monkey-kingdom" },
        ["man-village"] = new() { Name = "Man Village", Token = "jb-token-man-village", WebhookSecret = "jb-webhook-secret-man-village" },
    };

    /// <summary>
    /// Whether the network confirms each message a profile sends with a "delivered" receipt webhook (as real networks
    /// do). Benchmarks of the reply path turn it off, so that they measure replies alone.
    /// </summary>
    public bool DeliveryReceipts { get; set; } = true;

    /// <summary>Longest message the network takes (the connector declares the same limit).</summary>
    public int MaxTextLength { get; set; } = 2000;
}

public sealed class JunglebookProfile
{
    public string Name { get; set; } = "";

    /// <summary>The profile's API token (what the connector sends as a bearer).</summary>
    public string Token { get; set; } = "";

    /// <summary>The secret webhooks to this profile's subscriber are signed with.</summary>
    public string WebhookSecret { get; set; } = "";
}
