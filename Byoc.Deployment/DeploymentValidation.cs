namespace Byoc.Deployment;

/// <summary>
/// Every rule a deployment must meet before anything starts (docs/configuration.md, "Validation"). Returns ALL the
/// problems at once, each naming the field and what is expected there, so one run of <c>./byoc check</c> shows
/// everything to fix; Byoc never starts half-configured.
/// </summary>
public static class DeploymentValidation
{
    /// <summary>The hosts of real CXone issuers; their discovery document gives the Digital API's host.</summary>
    public static readonly IReadOnlyList<string> CxoneDomains = ["niceincontact.com", "nice-incontact.com", "nicecxone-gov.com"];

    public static IReadOnlyList<DeploymentProblem> Validate(DeploymentFile file, string environmentName, SecretResolver? secrets = null)
    {
        secrets ??= SecretResolver.Default;
        var development = string.Equals(environmentName, "Development", StringComparison.OrdinalIgnoreCase);
        var problems = new List<DeploymentProblem>();

        foreach (var (name, connector) in file.Connectors)
        {
            var path = $"connectors:{name}";
            if (!IsResourceName(name))
            {
                problems.Add(new(path, "a connector name of lower-case letters, digits and single '-', starting with a letter, at most 40 characters (it names the Aspire resource connector-{name} and the Edge's /hooks/{name})", $"'{name}'"));
            }

            if (!ConnectorTypes.IsKnown(connector.Type))
            {
                problems.Add(new($"{path}:type", $"a connector type: one of {string.Join(", ", ConnectorTypes.All)} (default: the connector's name)", $"'{connector.Type}'"));
            }

            if (connector.Replicas < 1)
            {
                problems.Add(new($"{path}:replicas", "at least 1 (default 1)", connector.Replicas.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        if (file.Integrations.Count == 0)
        {
            problems.Add(new("integrations", "at least one integration (keyed by CXone's Integration ID)", "none"));
        }

        var accounts = new Dictionary<(string Connector, string Account), string>();
        var pointIds = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, integration) in file.Integrations)
        {
            var path = $"integrations:{id}";
            Required(problems, $"{path}:tenantId", integration.TenantId, "the CXone tenant's id");
            Required(problems, $"{path}:clientId", integration.ClientId, "the client id CXone's BYOC integration presents to the Edge");
            Secret(problems, secrets, development, $"{path}:clientSecret", integration.ClientSecret, "the client secret CXone's BYOC integration presents to the Edge");

            var cxone = integration.Cxone;
            if (Required(problems, $"{path}:cxone:issuer", cxone.Issuer, "the CXone issuer, e.g. https://cxone.niceincontact.com"))
            {
                Url(problems, development, $"{path}:cxone:issuer", cxone.Issuer, "the CXone issuer");
            }

            if (cxone.DigitalApiBaseUrl is { } api)
            {
                // Byoc appends /channels, /posts... to it; a base without /dfo/3.0 is likely a mistake, not certainly one.
                if (Url(problems, development, $"{path}:cxone:digitalApiBaseUrl", api, "the Digital API base")
                    && Uri.TryCreate(api, UriKind.Absolute, out var apiUri)
                    && !apiUri.AbsolutePath.TrimEnd('/').EndsWith("/dfo/3.0", StringComparison.Ordinal))
                {
                    problems.Add(new($"{path}:cxone:digitalApiBaseUrl", "the Digital API base ending in /dfo/3.0, e.g. https://api-de-na1.niceincontact.com/dfo/3.0", $"'{api}'", IsWarning: true));
                }
            }
            else if (Uri.TryCreate(cxone.Issuer, UriKind.Absolute, out _) && !IsCxone(cxone.Issuer))
            {
                problems.Add(new($"{path}:cxone:digitalApiBaseUrl", $"the Digital API base (e.g. https://api-de-na1.niceincontact.com/dfo/3.0): required when the issuer is not a CXone host ({string.Join(", ", CxoneDomains.Select(d => "*." + d))}), whose discovery document gives it", "none"));
            }

            Required(problems, $"{path}:cxone:appClientId", cxone.AppClientId, "the client id of the application registered with NICE");
            Secret(problems, secrets, development, $"{path}:cxone:appClientSecret", cxone.AppClientSecret, "the client secret of the application registered with NICE");
            Required(problems, $"{path}:cxone:accessKeyId", cxone.AccessKeyId, "the id of the tenant's access key");
            Secret(problems, secrets, development, $"{path}:cxone:accessKeySecret", cxone.AccessKeySecret, "the secret of the tenant's access key");

            foreach (var (pocId, point) in integration.PointsOfContact)
            {
                var at = $"{path}:pointsOfContact:{pocId}";
                if (pointIds.TryGetValue(pocId, out var other))
                {
                    problems.Add(new(at, "a point of contact id used once in the whole file (it is the channel's id at CXone)", $"also {other}"));
                }
                else
                {
                    pointIds[pocId] = at;
                }

                if (Required(problems, $"{at}:connector", point.Connector, $"the name of a connector of this file ({Names(file)})")
                    && !file.Connectors.ContainsKey(point.Connector))
                {
                    problems.Add(new($"{at}:connector", $"the name of a connector of this file: {Names(file)}", $"'{point.Connector}', which is not one"));
                }

                if (Required(problems, $"{at}:accountId", point.AccountId, "the account on the platform (e.g. a Junglebook profile, a Telegram bot's name)")
                    && point.Connector.Length > 0)
                {
                    var key = (point.Connector.ToLowerInvariant(), point.AccountId);
                    if (accounts.TryGetValue(key, out var first))
                    {
                        problems.Add(new($"{at}:accountId", $"one point of contact per account: account '{point.AccountId}' of connector '{point.Connector}' is already {first}", $"'{point.AccountId}' a second time"));
                    }
                    else
                    {
                        accounts[key] = at;
                    }
                }

                if (point.Icon.Length == 0)
                {
                    problems.Add(new($"{at}:icon", $"one of CXone's externalPlatformIcon values (e.g. forum, sms, telegram; all: {string.Join(", ", CxoneIcons.All)})", "none"));
                }
                else if (!CxoneIcons.IsValid(point.Icon))
                {
                    problems.Add(new($"{at}:icon", $"one of CXone's externalPlatformIcon values: {string.Join(", ", CxoneIcons.All)}", $"'{point.Icon}'"));
                }

                foreach (var (setting, value) in point.Settings)
                {
                    if (SecretReference.IsReference(value))
                    {
                        Secret(problems, secrets, development, $"{at}:settings:{setting}", value, "a setting of the account");
                    }
                }
            }
        }

        return problems;
    }

    /// <summary>Whether the issuer is one of CXone's own hosts.</summary>
    public static bool IsCxone(string issuer) =>
        Uri.TryCreate(issuer, UriKind.Absolute, out var uri)
        && CxoneDomains.Any(d => uri.Host.Equals(d, StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith("." + d, StringComparison.OrdinalIgnoreCase));

    private static string Names(DeploymentFile file) => file.Connectors.Count == 0 ? "there are none: add one under connectors" : string.Join(", ", file.Connectors.Keys);

    private static bool Required(List<DeploymentProblem> problems, string field, string value, string what)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        problems.Add(new(field, $"{what} (required)", "none"));
        return false;
    }

    private static bool Url(List<DeploymentProblem> problems, bool development, string field, string value, string what)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add(new(field, $"{what} as an absolute https:// URL", $"'{value}'"));
            return false;
        }

        if (!development && uri.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add(new(field, $"{what} as an https:// URL (http:// is accepted in Development only)", $"'{value}'"));
            return false;
        }

        return true;
    }

    private static void Secret(List<DeploymentProblem> problems, SecretResolver secrets, bool development, string field, string value, string what)
    {
        if (!Required(problems, field, value, $"{what}, as a secret reference (env:NAME, file:/path or {SecretReference.KeyVaultForm})"))
        {
            return;
        }

        if (!SecretReference.IsReference(value))
        {
            if (!development)
            {
                problems.Add(new(field, $"a secret reference (env:NAME, file:/path or {SecretReference.KeyVaultForm}) rather than the secret in clear", "a value in clear", IsWarning: true));
            }

            return;
        }

        var resolution = secrets.TryResolve(value);
        if (!resolution.IsResolved)
        {
            problems.Add(new(field, $"{DeploymentProblem.UnresolvedReference}: {resolution.Problem}", $"'{value}'"));
        }
    }

    private static bool IsResourceName(string name) =>
        name.Length is > 0 and <= 40 && char.IsAsciiLetterLower(name[0]) && !name.EndsWith('-') && !name.Contains("--", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
