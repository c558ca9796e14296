using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Byoc.AppHost.Deployment;

/// <summary>One connector a deployment names: the resource <c>connector-{Name}</c>, of <see cref="Type"/>.</summary>
/// <param name="Settings">Its own configuration, relative to its type's section (<c>ApiBaseUrl</c> is <c>Telegram:ApiBaseUrl</c>).</param>
public sealed record ConnectorDeclaration(string Name, string Type, int Replicas, IReadOnlyDictionary<string, string> Settings);

/// <summary>
/// The <c>connectors</c> section of a deployment file (docs/configuration.md), read with plain configuration binding
/// until the shared Byoc.Deployment library reads and validates the whole file.
/// </summary>
public static partial class DeploymentConnectors
{
    public static readonly IReadOnlyList<string> Types = ["junglebook", "webhook", "telegram"];

    /// <summary>What runs without a deployment file: the sandbox demo's Junglebook connector.</summary>
    public static readonly IReadOnlyList<ConnectorDeclaration> Demo = [new("junglebook", "junglebook", 1, new Dictionary<string, string>())];

    /// <summary>The connectors of the file at <paramref name="path"/>, and every problem found in them (all at once).</summary>
    public static (IReadOnlyList<ConnectorDeclaration> Connectors, IReadOnlyList<string> Problems) Read(string path)
    {
        IConfiguration file;
        try
        {
            file = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or UnauthorizedAccessException)
        {
            return ([], [$"{path}: a readable JSON file is expected ({e.Message})"]);
        }

        var connectors = new List<ConnectorDeclaration>();
        var problems = new List<string>();
        foreach (var section in file.GetSection("connectors").GetChildren())
        {
            // A list of objects with an "id" is accepted too: the id is the name.
            var name = int.TryParse(section.Key, out _) ? section["id"] : section.Key;
            var field = $"connectors:{section.Key}";
            if (name is null || !ConnectorName().IsMatch(name))
            {
                problems.Add($"{field}: a name of lowercase letters, digits and '-' (at most 40) is expected, found '{name}'");
                continue;
            }

            var type = (section["type"] ?? name).ToLowerInvariant();
            if (!Types.Contains(type))
            {
                problems.Add($"{field}:type: one of {string.Join(", ", Types)} is expected, found '{type}'");
            }

            var replicas = 1;
            if (section["replicas"] is { } given && (!int.TryParse(given, out replicas) || replicas < 1))
            {
                problems.Add($"{field}:replicas: a whole number of at least 1 is expected, found '{given}'");
            }

            var settings = section.GetSection("settings");
            connectors.Add(new(name, type, replicas, settings.AsEnumerable(makePathsRelative: true)
                .Where(s => s.Value is not null).ToDictionary(s => s.Key, s => s.Value!, StringComparer.OrdinalIgnoreCase)));
        }

        if (connectors.Count == 0 && problems.Count == 0)
        {
            problems.Add("connectors: at least one connector is expected");
        }

        return (connectors, problems);
    }

    // What the Edge accepts in /hooks/{connector}: nothing from a path may steer a request elsewhere.
    [GeneratedRegex("^[a-z0-9-]{1,40}$")]
    private static partial Regex ConnectorName();
}
