namespace Byoc.Deployment;

/// <summary>
/// A deployment: its connectors, its integrations (one per CXone BYOC integration) and their points of contact.
/// Every list is keyed by id, case-insensitively (docs/configuration.md).
/// </summary>
public sealed class DeploymentFile
{
    /// <summary>Where it was read from: the file's absolute path, or a name such as <c>Byoc:Deployment</c>.</summary>
    public string Source { get; init; } = "";

    /// <summary>By name: the Aspire resource <c>connector-{name}</c>, the Edge's <c>/hooks/{name}</c>.</summary>
    public Dictionary<string, DeploymentConnector> Connectors { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>By CXone's Integration ID of the BYOC integration.</summary>
    public Dictionary<string, DeploymentIntegration> Integrations { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every point of contact of every integration.</summary>
    public IEnumerable<DeploymentPointOfContact> PointsOfContact => Integrations.Values.SelectMany(i => i.PointsOfContact.Values);

    /// <summary>Reads a deployment file (see <see cref="DeploymentLoader"/>); never throws for what is in the file.</summary>
    public static DeploymentLoad Load(string path) => DeploymentLoader.Load([DeploymentSource.FromFile(path)]);

    /// <summary>Reads a deployment given as JSON text (e.g. <c>Byoc:Deployment</c>).</summary>
    public static DeploymentLoad Parse(string json, string source = "Byoc:Deployment") =>
        DeploymentLoader.Load([DeploymentSource.FromJson(json, source)]);

    /// <summary>Reads several sources, each later one overriding the earlier ones by id and field (never by index).</summary>
    public static DeploymentLoad Load(IEnumerable<DeploymentSource> sources) => DeploymentLoader.Load(sources);
}

public sealed class DeploymentConnector
{
    public string Name { get; init; } = "";

    /// <summary>One of <see cref="ConnectorTypes.All"/>; the name when not given.</summary>
    public string Type { get; set; } = "";

    public int Replicas { get; set; } = 1;

    /// <summary>The connector's own configuration, relative to its section (<see cref="ConnectorTypes.SettingsSection"/>), e.g. <c>ApiBaseUrl</c>.</summary>
    public Dictionary<string, string> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class DeploymentIntegration
{
    /// <summary>CXone's "Integration ID": it becomes the points of contact's channelIntegrationId.</summary>
    public string Id { get; init; } = "";

    public string TenantId { get; set; } = "";

    /// <summary>Shown to admins; the id when not given.</summary>
    public string Name { get; set; } = "";

    /// <summary>The client id CXone presents to the Edge's token endpoint.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Its secret (a reference): set when the integration is created; later rotations are not undone by a restart.</summary>
    public string ClientSecret { get; set; } = "";

    public DeploymentCxone Cxone { get; } = new();

    public Dictionary<string, DeploymentPointOfContact> PointsOfContact { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>How Conversations reaches the tenant's CXone.</summary>
public sealed class DeploymentCxone
{
    public string Issuer { get; set; } = "";

    /// <summary>Required unless the issuer is a real CXone, whose discovery document gives it.</summary>
    public string? DigitalApiBaseUrl { get; set; }

    public string AppClientId { get; set; } = "";

    public string AppClientSecret { get; set; } = "";

    public string AccessKeyId { get; set; } = "";

    public string AccessKeySecret { get; set; } = "";

    /// <summary>Also send the two fields CXone's published NewChannel lacks (opt-in: a strict tenant refuses them).</summary>
    public bool SendUnpublishedChannelFields { get; set; }
}

/// <summary>One platform account behind one connector, a point of contact (channel) at CXone.</summary>
public sealed class DeploymentPointOfContact
{
    public string Id { get; init; } = "";

    public string IntegrationId { get; init; } = "";

    /// <summary>The name of a connector of the same file.</summary>
    public string Connector { get; set; } = "";

    /// <summary>The account on the platform (a Junglebook profile, a Telegram bot).</summary>
    public string AccountId { get; set; } = "";

    /// <summary>Shown to agents; the account id when not given.</summary>
    public string Name { get; set; } = "";

    /// <summary>One of CXone's externalPlatformIcon values (<see cref="CxoneIcons"/>).</summary>
    public string Icon { get; set; } = "";

    public bool RegisterAtCxone { get; set; } = true;

    /// <summary>What the connector needs for this account (tokens, signing secrets), as secret references.</summary>
    public Dictionary<string, string> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>A deployment as read, with what was wrong in reading it (bad JSON, unknown fields, elements without id).</summary>
public sealed record DeploymentLoad(DeploymentFile File, IReadOnlyList<DeploymentProblem> Problems)
{
    /// <summary>False when a source could not be read at all (missing, not JSON, the old wrapped file).</summary>
    public bool IsReadable { get; init; } = true;

    /// <summary>
    /// The reading problems and the validation problems, all at once. A source that could not be read is not
    /// validated: its emptiness would only add problems that are not the one to fix.
    /// </summary>
    public IReadOnlyList<DeploymentProblem> Validate(string environmentName, SecretResolver? secrets = null) =>
        IsReadable ? [.. Problems, .. DeploymentValidation.Validate(File, environmentName, secrets)] : Problems;
}

/// <summary>The connector types Byoc ships.</summary>
public static class ConnectorTypes
{
    public const string Junglebook = "junglebook";
    public const string Webhook = "webhook";
    public const string Telegram = "telegram";

    public static readonly IReadOnlyList<string> All = [Junglebook, Webhook, Telegram];

    public static bool IsKnown(string? type) => type is not null && All.Contains(type, StringComparer.OrdinalIgnoreCase);

    /// <summary>The configuration section a connector of this type reads its settings from (e.g. <c>Telegram</c>).</summary>
    public static string SettingsSection(string type) => type.ToLowerInvariant() switch
    {
        Junglebook => "Junglebook",
        Webhook => "Webhook",
        Telegram => "Telegram",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, $"Not a connector type: expected one of {string.Join(", ", All)}."),
    };
}
