using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Byoc.Deployment;

/// <summary>One source of a deployment: a file, or JSON text (e.g. a secret holding the whole file).</summary>
public sealed record DeploymentSource(string Name, Func<string> ReadJson, string? Path = null)
{
    public static DeploymentSource FromFile(string path)
    {
        // An empty or malformed path is reported as a file that cannot be read, like any other.
        var full = string.IsNullOrWhiteSpace(path) ? path : System.IO.Path.GetFullPath(path);
        return new(full, () => string.IsNullOrWhiteSpace(full) ? throw new FileNotFoundException() : File.ReadAllText(full), full);
    }

    public static DeploymentSource FromJson(string json, string name = "Byoc:Deployment") => new(name, () => json);

    /// <summary>A configuration section in the file's shape (e.g. <c>Byoc__Deployment__integrations__acme__name</c> variables).</summary>
    public static DeploymentSource FromConfiguration(IConfiguration section, string name) =>
        new(name, () => ToJson(section).ToJsonString());

    private static JsonObject ToJson(IConfiguration section)
    {
        var json = new JsonObject();
        foreach (var child in section.GetChildren())
        {
            json[child.Key] = child.GetChildren().Any() ? ToJson(child) : JsonValue.Create(child.Value);
        }

        return json;
    }
}

/// <summary>
/// Reads deployment sources into a <see cref="DeploymentFile"/>. Each source becomes .NET configuration (so keys
/// are case-insensitive and later sources override earlier ones field by field); a list given as an array of
/// objects with <c>id</c> is turned into the keyed form first, so two sources meet by id, never by index.
/// Nothing in a file makes it throw: every problem is collected.
/// </summary>
internal static class DeploymentLoader
{
    private static readonly JsonDocumentOptions Json = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static readonly string[] RootFields = ["connectors", "integrations", "$schema"];
    private static readonly string[] ConnectorFields = ["id", "type", "replicas", "settings"];
    private static readonly string[] IntegrationFields = ["id", "tenantId", "name", "clientId", "clientSecret", "cxone", "pointsOfContact"];
    private static readonly string[] CxoneFields = ["issuer", "digitalApiBaseUrl", "appClientId", "appClientSecret", "accessKeyId", "accessKeySecret", "sendUnpublishedChannelFields"];
    private static readonly string[] PointOfContactFields = ["id", "connector", "accountId", "name", "icon", "registerAtCxone", "settings"];

    public static DeploymentLoad Load(IEnumerable<DeploymentSource> sources)
    {
        var problems = new List<DeploymentProblem>();
        var configuration = new ConfigurationBuilder();
        var names = new List<string>();
        var readable = true;
        foreach (var source in sources)
        {
            names.Add(source.Name);
            if (Read(source, problems) is { } root)
            {
                var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                Flatten(root, "", keys, problems);
                configuration.AddInMemoryCollection(keys);
            }
            else
            {
                readable = false;
            }
        }

        var file = new DeploymentFile { Source = string.Join(", ", names) };
        Bind(configuration.Build(), file, problems);
        return new DeploymentLoad(file, problems) { IsReadable = readable };
    }

    private static JsonObject? Read(DeploymentSource source, List<DeploymentProblem> problems)
    {
        string text;
        try
        {
            text = source.ReadJson();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new(source.Name, "a readable deployment file", e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.GetType().Name));
            return null;
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: Json);
        }
        catch (JsonException e)
        {
            var reason = e.Message.Split([" Path:", " LineNumber:"], StringSplitOptions.None)[0].TrimEnd('.', ' ');
            problems.Add(new(source.Name, "JSON (comments and trailing commas allowed)", $"{reason} (line {e.LineNumber + 1})"));
            return null;
        }

        if (node is not JsonObject root)
        {
            problems.Add(new(source.Name, "a JSON object with connectors and integrations", node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant()));
            return null;
        }

        if (Property(root, "Byoc") is not null)
        {
            // The old provisioning file's fields are not this file's: naming each of them would only bury this one.
            problems.Add(new("Byoc", "connectors and integrations at the top level of a deployment file (not wrapped in {\"Byoc\":{\"Provisioning\":…}}, the old provisioning file given with Byoc:ProvisioningFile)", "the old wrapper"));
            return null;
        }

        return root;
    }

    private static JsonNode? Property(JsonObject o, string name) =>
        o.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static bool IsKeyedList(string path)
    {
        var segments = path.Split(':');
        return segments switch
        {
            [var list] => Is(list, "connectors") || Is(list, "integrations"),
            [var list, _, var inner] => Is(list, "integrations") && Is(inner, "pointsOfContact"),
            _ => false,
        };
    }

    private static bool Is(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}:{key}";

    private static void Flatten(JsonNode? node, string path, Dictionary<string, string?> into, List<DeploymentProblem> problems)
    {
        switch (node)
        {
            case JsonArray array when IsKeyedList(path):
                var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
                for (var i = 0; i < array.Count; i++)
                {
                    var element = array[i] as JsonObject;
                    var id = element is null ? null : Property(element, "id") is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
                    if (string.IsNullOrWhiteSpace(id))
                    {
                        problems.Add(new($"{path}:{i}:id", $"an \"id\" on every element of {path} (its lists are keyed by id; or write {path} as an object keyed by id)", "none"));
                        continue;
                    }

                    if (seen.TryGetValue(id, out var first))
                    {
                        problems.Add(new($"{path}:{i}:id", $"an id used once in {path}", $"'{id}', also the id of element {first}"));
                        continue;
                    }

                    seen[id] = i;
                    Flatten(element, Join(path, id), into, problems);
                }

                break;
            case JsonObject o:
                if (o.Count == 0 && path.Length > 0)
                {
                    into[path] = null;
                }

                foreach (var (key, value) in o)
                {
                    Flatten(value, Join(path, key), into, problems);
                }

                break;
            case JsonArray array:
                if (array.Count == 0)
                {
                    // Kept as a key, so an empty list in the wrong place is still named as an unknown field.
                    into[path] = null;
                }

                for (var i = 0; i < array.Count; i++)
                {
                    Flatten(array[i], Join(path, i.ToString(CultureInfo.InvariantCulture)), into, problems);
                }

                break;
            case JsonValue value:
                into[path] = value.GetValueKind() switch
                {
                    JsonValueKind.String => value.GetValue<string>(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Null => null,
                    _ => value.ToJsonString(),
                };
                break;
            default:
                into[path] = null;
                break;
        }
    }

    private static void Bind(IConfiguration root, DeploymentFile file, List<DeploymentProblem> problems)
    {
        UnknownFields(root, "", RootFields, "a deployment file", problems);
        foreach (var (name, section) in Entries(root.GetSection("connectors"), "connectors", "a connector", problems))
        {
            UnknownFields(section, section.Path, ConnectorFields, "a connector", problems);
            SameId(section, name, problems);
            var connector = new DeploymentConnector
            {
                Name = name,
                Type = section["type"] is { Length: > 0 } type ? type : name,
                Replicas = Int(section, "replicas", 1, problems),
            };
            Settings(section.GetSection("settings"), connector.Settings);
            file.Connectors[name] = connector;
        }

        foreach (var (id, section) in Entries(root.GetSection("integrations"), "integrations", "an integration", problems))
        {
            UnknownFields(section, section.Path, IntegrationFields, "an integration", problems);
            SameId(section, id, problems);
            var integration = new DeploymentIntegration
            {
                Id = id,
                TenantId = section["tenantId"] ?? "",
                Name = section["name"] ?? "",
                ClientId = section["clientId"] ?? "",
                ClientSecret = section["clientSecret"] ?? "",
            };
            var cxone = section.GetSection("cxone");
            UnknownFields(cxone, cxone.Path, CxoneFields, "cxone", problems);
            integration.Cxone.Issuer = cxone["issuer"] ?? "";
            integration.Cxone.DigitalApiBaseUrl = cxone["digitalApiBaseUrl"] is { Length: > 0 } api ? api : null;
            integration.Cxone.AppClientId = cxone["appClientId"] ?? "";
            integration.Cxone.AppClientSecret = cxone["appClientSecret"] ?? "";
            integration.Cxone.AccessKeyId = cxone["accessKeyId"] ?? "";
            integration.Cxone.AccessKeySecret = cxone["accessKeySecret"] ?? "";
            integration.Cxone.SendUnpublishedChannelFields = Bool(cxone, "sendUnpublishedChannelFields", false, problems);

            var points = section.GetSection("pointsOfContact");
            foreach (var (pocId, poc) in Entries(points, points.Path, "a point of contact", problems))
            {
                UnknownFields(poc, poc.Path, PointOfContactFields, "a point of contact", problems);
                SameId(poc, pocId, problems);
                var point = new DeploymentPointOfContact
                {
                    Id = pocId,
                    IntegrationId = id,
                    Connector = poc["connector"] ?? "",
                    AccountId = poc["accountId"] ?? "",
                    Name = poc["name"] ?? "",
                    Icon = poc["icon"] ?? "",
                    RegisterAtCxone = Bool(poc, "registerAtCxone", true, problems),
                };
                Settings(poc.GetSection("settings"), point.Settings);
                integration.PointsOfContact[pocId] = point;
            }

            file.Integrations[id] = integration;
        }
    }

    private static IEnumerable<(string Id, IConfigurationSection Section)> Entries(IConfigurationSection list, string path, string what, List<DeploymentProblem> problems)
    {
        if (list.Value is { Length: > 0 })
        {
            problems.Add(new(path, $"an object keyed by id, each value {what}", "a single value"));
            yield break;
        }

        foreach (var entry in list.GetChildren())
        {
            if (entry.Value is { Length: > 0 })
            {
                problems.Add(new(entry.Path, $"{what} (an object)", "a single value"));
                continue;
            }

            yield return (entry.Key, entry);
        }
    }

    private static void SameId(IConfigurationSection section, string key, List<DeploymentProblem> problems)
    {
        if (section["id"] is { Length: > 0 } id && !Is(id, key))
        {
            problems.Add(new($"{section.Path}:id", $"the same id as its key '{key}' (or no id at all)", $"'{id}'"));
        }
    }

    private static void UnknownFields(IConfiguration section, string path, string[] known, string what, List<DeploymentProblem> problems)
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                var hint = Is(child.Key, "channels") ? " (channels are \"pointsOfContact\" in a deployment file)" : "";
                problems.Add(new(Join(path, child.Key), $"a field of {what}: {string.Join(", ", known.Where(k => k != "$schema"))}{hint}", "an unknown field"));
            }
        }
    }

    private static void Settings(IConfigurationSection settings, Dictionary<string, string> into)
    {
        foreach (var (key, value) in settings.AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                into[key] = value;
            }
        }
    }

    private static int Int(IConfigurationSection section, string field, int fallback, List<DeploymentProblem> problems)
    {
        if (section[field] is not { Length: > 0 } text)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problems.Add(new($"{section.Path}:{field}", "a whole number", $"'{text}'"));
        return fallback;
    }

    private static bool Bool(IConfigurationSection section, string field, bool fallback, List<DeploymentProblem> problems)
    {
        if (section[field] is not { Length: > 0 } text)
        {
            return fallback;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        problems.Add(new($"{section.Path}:{field}", "true or false", $"'{text}'"));
        return fallback;
    }
}
