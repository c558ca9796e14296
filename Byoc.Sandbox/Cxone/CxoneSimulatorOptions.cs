using System.ComponentModel.DataAnnotations;

namespace Byoc.Sandbox.Cxone;

/// <summary>The simulated CXone tenant: who may call it and what it says about itself. Section <c>Sandbox:Cxone</c>.</summary>
public sealed class CxoneSimulatorOptions
{
    public const string Section = "Sandbox:Cxone";

    [Required]
    public string TenantId { get; set; } = "11ee0000-sand-b0x0-0000-000000000001";

    public int BrandId { get; set; } = 4567;

    public int BusinessUnitId { get; set; } = 4607084;

    public string Area { get; set; } = "sandbox1";

    public string Domain { get; set; } = "cxone.localhost";

    /// <summary>The application registered with NICE (the Basic credentials of the auth call).</summary>
    [Required]
    public string AppClientId { get; set; } = "byoc-sandbox-app";

    [Required]
    public string AppClientSecret { get; set; } = "sandbox-app-secret";

    /// <summary>Access keys of the tenant (the username/password of the password grant). Keys may contain '='.</summary>
    public Dictionary<string, string> AccessKeys { get; set; } = new() { ["sandbox-access-key"] = "sandbox-access-secret==" };

    /// <summary>
    /// Refuse a point of contact carrying a field that is not in the published <c>NewChannel</c> (cxone-contract §5:
    /// <c>isTrackingMessageDeliveryStatus</c> and <c>canSendSenderActions</c> are not), as a strict CXone may. Off by
    /// default: whether CXone ignores or refuses unknown fields is not public, and Byoc must cope with both.
    /// </summary>
    public bool StrictChannelFields { get; set; }

    /// <summary>Lifetime of issued tokens; tests shorten it to exercise refresh.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
}
