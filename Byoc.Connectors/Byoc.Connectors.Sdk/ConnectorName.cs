using Microsoft.Extensions.Configuration;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// The connector's name: its key in the deployment file, which may differ from its type (a webhook connector named
/// <c>support-desk</c>). It is the <c>/hooks/{name}</c> it serves, the connector its accounts and ingests name to
/// Conversations (which knows it as the caller <c>connector-{name}</c>) and the name it describes itself by. Read from
/// <c>Connector:Name</c> (the AppHost sets <c>Connector__Name</c>), else the platform's own name, so a connector run
/// alone is named after its type.
/// </summary>
public sealed class ConnectorName
{
    public const string ConfigurationKey = "Connector:Name";

    private ConnectorName(string value) => Value = value;

    public string Value { get; }

    public override string ToString() => Value;

    /// <summary>The configured name, else <paramref name="platform"/>'s; an invalid one fails the start, naming the setting.</summary>
    public static ConnectorName From(IConfiguration configuration, PlatformDescription platform)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(platform);
        var configured = configuration[ConfigurationKey];
        var name = string.IsNullOrEmpty(configured) ? platform.Connector : configured;
        return IsValid(name)
            ? new ConnectorName(name)
            : throw new InvalidOperationException(
                $"{ConfigurationKey} (Connector__Name) is '{name}': expected a connector name of lower-case letters, digits and single '-', "
                + "starting with a letter, at most 40 characters, as the deployment file names connectors (it serves /hooks/{name} and calls Conversations as connector-{name}).");
    }

    /// <summary>The deployment file's rule for connector names (Byoc.Deployment's validation): a DNS label Aspire and the Edge can use.</summary>
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= 40 } && char.IsAsciiLetterLower(name[0]) && !name.EndsWith('-') && !name.Contains("--", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
