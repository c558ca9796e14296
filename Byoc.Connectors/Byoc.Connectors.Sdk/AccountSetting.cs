using Byoc.Connectors.V1;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// Short declarations of the settings an account needs (<see cref="PlatformDescription.Settings"/>), e.g.
/// <c>AccountSetting.Secret("token", "API token")</c>.
/// </summary>
public static class AccountSetting
{
    /// <summary>A required secret (token, signing secret): kept encrypted in the vault and never shown back.</summary>
    public static SettingDescriptor Secret(string key, string displayName) => new() { Key = key, DisplayName = displayName, Secret = true, Required = true };

    /// <summary>A required setting that is not a secret (a URL, a mapping).</summary>
    public static SettingDescriptor Required(string key, string displayName) => new() { Key = key, DisplayName = displayName, Required = true };

    /// <summary>A setting the connector has a default for, or can do without.</summary>
    public static SettingDescriptor Optional(string key, string displayName) => new() { Key = key, DisplayName = displayName };
}
