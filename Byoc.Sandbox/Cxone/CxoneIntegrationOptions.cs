namespace Byoc.Sandbox.Cxone;

/// <summary>
/// The BYOC integration as an admin would type it into CXone's form (section <c>Sandbox:Cxone:Integration</c>):
/// where the middleware is, how to get a token from it, and which reply API to use.
/// </summary>
public sealed class CxoneIntegrationOptions
{
    public const string Section = "Sandbox:Cxone:Integration";

    /// <summary>"Integration Box URL". Locally the Edge, found by service discovery.</summary>
    public string BoxUrl { get; set; } = "http://edge";

    /// <summary>"Authorization URL"; empty means the default {box}/1.0/token.</summary>
    public string? AuthorizationUrl { get; set; }

    public string ClientId { get; set; } = "byoc-demo-client";

    public string ClientSecret { get; set; } = "byoc-demo-secret-change-me";

    /// <summary>The checkbox "Use DFO 3.0 Outbound API for replies".</summary>
    public bool UseDfo3Outbound { get; set; } = true;

    /// <summary>
    /// "Add action URL": the middleware's settings page, opened in the admin's browser. Empty means the Edge's
    /// browsable address (from service discovery) + <c>/settings</c>.
    /// </summary>
    public string? ActionUrl { get; set; }

    /// <summary>
    /// The <c>apiHost</c> the settings link carries, which names this CXone to the middleware: the host Byoc's
    /// registry has for it (locally the simulator's service-discovery name).
    /// </summary>
    public string ApiHost { get; set; } = "sandbox";

    /// <summary>How CXone sends the token request: "json" (what samples show), "form" or "basic".</summary>
    public string TokenRequestStyle { get; set; } = "json";
}
