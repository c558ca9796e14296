using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Byoc.Deploy.Tests;

/// <summary>
/// One <c>Byoc.AppHost/infra/{resource}.tmpl.yaml</c> rendered the way <c>azd deploy</c> renders it (a Go template
/// over azd's environment, which holds infra/main.bicep's outputs), with made-up values for those outputs. The
/// templates use only <c>{{ .Env.NAME }}</c>, <c>{{ .Image }}</c> and <c>{{ if .Env.NAME }}…{{ end }}</c>; anything
/// else is refused, so what is checked here is what azd sees.
/// </summary>
public sealed partial class ContainerAppTemplate
{
    public const string Image = "acrtest.azurecr.io/byoc/app:azd-deploy-1";

    /// <summary>Values azd has itself, not from the provision's outputs.</summary>
    public static readonly string[] AzdValues = ["AZURE_LOCATION"];

    private ContainerAppTemplate(YamlMappingNode root, IReadOnlySet<string> reads) => (Root, Reads) = (root, reads);

    public YamlMappingNode Root { get; }

    /// <summary>The names of azd's environment the template reads.</summary>
    public IReadOnlySet<string> Reads { get; }

    public YamlMappingNode Properties => (YamlMappingNode)Root["properties"];

    public YamlMappingNode Ingress => (YamlMappingNode)((YamlMappingNode)Properties["configuration"])["ingress"];

    public YamlMappingNode Container => (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)Properties["template"])["containers"]).Single();

    public YamlMappingNode Scale => (YamlMappingNode)((YamlMappingNode)Properties["template"])["scale"];

    /// <summary>The container's variables: name to (value, secretRef).</summary>
    public IReadOnlyDictionary<string, (string? Value, string? SecretRef)> Env => ((YamlSequenceNode)Container["env"]).Cast<YamlMappingNode>()
        .ToDictionary(e => Scalar(e, "name")!, e => (Scalar(e, "value"), Scalar(e, "secretRef")), StringComparer.Ordinal);

    /// <summary>The app's secrets: name to the Key Vault secret URL it references.</summary>
    public IReadOnlyDictionary<string, string?> Secrets => ((YamlSequenceNode)((YamlMappingNode)Properties["configuration"])["secrets"]).Cast<YamlMappingNode>()
        .ToDictionary(s => Scalar(s, "name")!, s => Scalar(s, "keyVaultUrl"), StringComparer.Ordinal);

    public static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    /// <summary>A made-up value of azd's environment, shaped as the real one (ids are resource ids, URLs URLs).</summary>
    public static string ValueOf(string name) => name switch
    {
        "AZURE_LOCATION" => "westeurope",
        "AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID" => "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-test/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi-test",
        "AZURE_CONTAINER_APPS_ENVIRONMENT_ID" => "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-test/providers/Microsoft.App/managedEnvironments/cae-test",
        "BYOC_EDGE_CERTIFICATE_ID" => "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-test/providers/Microsoft.App/managedEnvironments/cae-test/managedCertificates/byoc-example-com",
        "AZURE_CONTAINER_REGISTRY_ENDPOINT" => "acrtest.azurecr.io",
        "AZURE_KEY_VAULT_ENDPOINT" => "https://kv-test.vault.azure.net/",
        "MANAGED_IDENTITY_CLIENT_ID" => "11111111-1111-1111-1111-111111111111",
        "BYOC_EDGE_DOMAIN" => "byoc.example.com",
        "BYOC_EDGE_ISSUER" => "https://byoc.example.com",
        "BYOC_EDGE_TRUSTED_NETWORK" => "10.40.0.0/23",
        "BYOC_REDIS_HOST" => "redis-test.westeurope.redis.azure.net",
        _ => $"test-{name.ToLowerInvariant()}",
    };

    public static ContainerAppTemplate Render(string template, IReadOnlySet<string> outputs)
    {
        var reads = new HashSet<string>(StringComparer.Ordinal);
        var text = new StringBuilder();
        var position = 0;
        foreach (Match action in Action().Matches(template))
        {
            text.Append(template, position, action.Index - position);
            position = action.Index + action.Length;
            if (action.Groups["trimLeft"].Success)
            {
                while (text.Length > 0 && char.IsWhiteSpace(text[^1]))
                {
                    text.Length--;
                }
            }

            var body = action.Groups["body"].Value;
            if (EnvRead().Match(body) is { Success: true } read)
            {
                var name = read.Groups["name"].Value;
                Assert.True(outputs.Contains(name) || AzdValues.Contains(name), $"the template reads {name}, which is neither an output of infra/main.bicep nor one of azd's own values");
                reads.Add(name);
                // Every optional part is rendered: what is checked is the template with everything on.
                text.Append(read.Groups["if"].Success ? string.Empty : ValueOf(name));
            }
            else if (body == ".Image")
            {
                text.Append(Image);
            }
            else
            {
                Assert.True(body == "end", $"the template uses {{{{ {body} }}}}, which the test does not render (only .Env.NAME, .Image, if .Env.NAME, end)");
            }
        }

        text.Append(template, position, template.Length - position);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text.ToString()));
        return new ContainerAppTemplate((YamlMappingNode)yaml.Documents.Single().RootNode, reads);
    }

    /// <summary>
    /// The app as a Bicep resource of the API version the template names, so that the Bicep compiler checks every
    /// property against the Container Apps schema.
    /// </summary>
    public string ToBicep(string name)
    {
        var apiVersion = Scalar(Root, "api-version");
        var bicep = new StringBuilder();
        bicep.Append(CultureInfo.InvariantCulture, $"resource app 'Microsoft.App/containerApps@{apiVersion}' = {{\n  name: '{name}'\n");
        foreach (var (key, value) in Root.Children.Where(c => ((YamlScalarNode)c.Key).Value != "api-version"))
        {
            bicep.Append("  ").Append(Key(((YamlScalarNode)key).Value!)).Append(": ");
            Write(bicep, value, 1);
            bicep.Append('\n');
        }

        return bicep.Append("}\n").ToString();
    }

    private static void Write(StringBuilder bicep, YamlNode node, int depth)
    {
        var indent = new string(' ', 2 * (depth + 1));
        switch (node)
        {
            case YamlMappingNode map:
                bicep.Append("{\n");
                foreach (var (key, value) in map.Children)
                {
                    bicep.Append(indent).Append(Key(((YamlScalarNode)key).Value!)).Append(": ");
                    Write(bicep, value, depth + 1);
                    bicep.Append('\n');
                }

                bicep.Append(new string(' ', 2 * depth)).Append('}');
                break;
            case YamlSequenceNode list:
                bicep.Append("[\n");
                foreach (var item in list)
                {
                    bicep.Append(indent);
                    Write(bicep, item, depth + 1);
                    bicep.Append('\n');
                }

                bicep.Append(new string(' ', 2 * depth)).Append(']');
                break;
            case YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } plain when plain.Value is "true" or "false":
                bicep.Append(plain.Value);
                break;
            case YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } plain when long.TryParse(plain.Value, NumberStyles.None, CultureInfo.InvariantCulture, out _):
                bicep.Append(plain.Value);
                break;
            case YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } plain when decimal.TryParse(plain.Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _):
                // Bicep has no literal for a fraction; json() gives the number ARM receives (a cpu of 0.5).
                bicep.Append(CultureInfo.InvariantCulture, $"json('{plain.Value}')");
                break;
            case YamlScalarNode scalar:
                bicep.Append(Quote(scalar.Value ?? string.Empty));
                break;
        }
    }

    private static string Key(string key) => Identifier().IsMatch(key) ? key : Quote(key);

    private static string Quote(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal).Replace("${", "\\${", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"\{\{(?<trimLeft>-)?\s*(?<body>.*?)\s*-?\}\}")]
    private static partial Regex Action();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^(?<if>if\s+)?\.Env\.(?<name>[A-Z0-9_]+)$")]
    private static partial Regex EnvRead();
}
