using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Byoc.Deploy.Tests;

/// <summary>
/// docs/deploy.md's recipe for a connector the committed templates do not have, done by the letter: its template is
/// connector-junglebook's with the name, the type's ports, the replicas and the settings changed, and the Edge's and
/// Conversations' templates get connector-junglebook's lines again for it. If this recipe yields a deployment that
/// does not match the manifest, so would the docs.
/// </summary>
internal static class ConnectorTemplateRecipe
{
    /// <summary>The gRPC and web ports of each connector type (its appsettings.json's Kestrel endpoints).</summary>
    public static readonly Dictionary<string, (int Grpc, int Web)> Ports = new(StringComparer.OrdinalIgnoreCase)
    {
        ["junglebook"] = (5401, 5402),
        ["webhook"] = (5411, 5412),
        ["telegram"] = (5421, 5422),
    };

    private static readonly Dictionary<string, string> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["junglebook"] = "Junglebook",
        ["webhook"] = "Webhook",
        ["telegram"] = "Telegram",
    };

    public static Dictionary<string, string> Apply(IReadOnlyDictionary<string, string> committed, string deploymentFile)
    {
        var connectors = JsonNode.Parse(File.ReadAllText(deploymentFile))!["connectors"]!.AsObject()
            .Select(c => (Name: c.Key, Type: c.Value!["type"]?.GetValue<string>() ?? c.Key, Connector: c.Value!)).ToList();
        var templates = committed.Where(t => !t.Key.StartsWith("connector-", StringComparison.Ordinal)).ToDictionary(t => t.Key, t => t.Value);
        foreach (var service in new[] { "edge", "conversations" })
        {
            // Each run of connector-junglebook's lines, once for every connector of the file.
            templates[service] = Runs(templates[service], "junglebook").Aggregate(templates[service], (text, run) =>
                text.Replace(run, string.Concat(connectors.Select(c => Renamed(run, c.Name, Ports[c.Type]))), StringComparison.Ordinal));
        }

        foreach (var (name, type, connector) in connectors)
        {
            var replicas = connector["replicas"]?.GetValue<int>() ?? 1;
            var settings = connector["settings"]?.AsObject().ToDictionary(s => s.Key, s => s.Value!.GetValue<string>()) ?? [];
            if (type.Equals("telegram", StringComparison.OrdinalIgnoreCase) && !settings.Keys.Any(k => k.Equals("PublicBaseUrl", StringComparison.OrdinalIgnoreCase)))
            {
                settings["PublicBaseUrl"] = "{{ .Env.BYOC_EDGE_URL }}";
            }

            var lines = new StringBuilder();
            foreach (var (setting, value) in settings)
            {
                lines.Append(CultureInfo.InvariantCulture, $"          - name: {Sections[type]}__{setting.Replace(":", "__", StringComparison.Ordinal)}\n            value: \"{value}\"\n");
            }

            // The settings go after the connector's own keys, before the managed identity.
            const string anchor = "          # The managed identity";
            Assert.Contains(anchor, committed["connector-junglebook"], StringComparison.Ordinal);
            templates[$"connector-{name}"] = Renamed(committed["connector-junglebook"], name, Ports[type])
                .Replace("minReplicas: 1\n      maxReplicas: 1", $"minReplicas: {replicas}\n      maxReplicas: {replicas}", StringComparison.Ordinal)
                .Replace(anchor, lines + anchor, StringComparison.Ordinal);
        }

        return templates;
    }

    private static string Renamed(string text, string name, (int Grpc, int Web) ports) => text
        .Replace("junglebook", name, StringComparison.Ordinal)
        .Replace("JUNGLEBOOK", name.ToUpperInvariant().Replace('-', '_'), StringComparison.Ordinal)
        .Replace("5401", ports.Grpc.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("5402", ports.Web.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>
    /// The runs of consecutive list entries (a "- name:" line and the lines under it, with a comment line just above
    /// it) naming <paramref name="word"/>.
    /// </summary>
    private static List<string> Runs(string text, string word)
    {
        var lines = text.Split('\n');
        var runs = new List<string>();
        var run = new StringBuilder();
        for (var i = 0; i < lines.Length; i++)
        {
            var isEntry = lines[i].TrimStart().StartsWith("- name: ", StringComparison.Ordinal) && lines[i].Contains(word, StringComparison.OrdinalIgnoreCase);
            if (!isEntry)
            {
                if (run.Length > 0)
                {
                    runs.Add(run.ToString());
                    run.Clear();
                }

                continue;
            }

            var indent = lines[i].Length - lines[i].TrimStart().Length;
            var end = i + 1;
            while (end < lines.Length && lines[end].Length - lines[end].TrimStart().Length > indent && !lines[end].TrimStart().StartsWith('-'))
            {
                end++;
            }

            run.Append(string.Join('\n', lines[i..end])).Append('\n');
            i = end - 1;
        }

        Assert.NotEmpty(runs);
        return runs;
    }
}
