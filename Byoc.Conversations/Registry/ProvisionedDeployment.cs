using Byoc.Deployment;

namespace Byoc.Conversations.Registry;

/// <summary>
/// The deployment file given to Conversations (docs/configuration.md): <c>Byoc:DeploymentFile</c> (a path), and/or
/// <c>Byoc:Deployment</c> (the file's JSON itself, or the same shape as configuration keys), the latter overriding
/// the former by id. Given, it REPLACES <c>Byoc:Provisioning</c> (the Development demo): nothing is merged with it.
/// Read once, at the first use (start-up), with every problem kept for the start-up validation.
/// </summary>
public sealed class ProvisionedDeployment(IConfiguration configuration, IHostEnvironment environment, SecretResolver secrets)
{
    public const string FileSetting = "Byoc:DeploymentFile";
    public const string JsonSetting = "Byoc:Deployment";

    private readonly Lazy<(DeploymentLoad? Load, IReadOnlyList<DeploymentProblem> Problems)> _read = new(() =>
    {
        var sources = Sources(configuration).ToList();
        if (sources.Count == 0)
        {
            return (null, []);
        }

        var load = DeploymentFile.Load(sources);
        return (load, load.Validate(environment.EnvironmentName, secrets));
    });

    /// <summary>Whether a deployment is given at all (else the legacy <c>Byoc:Provisioning</c> applies).</summary>
    public bool IsGiven => _read.Value.Load is not null;

    public DeploymentFile? File => _read.Value.Load?.File;

    /// <summary>Reading and validation problems, warnings included.</summary>
    public IReadOnlyList<DeploymentProblem> Problems => _read.Value.Problems;

    public static IEnumerable<DeploymentSource> Sources(IConfiguration configuration)
    {
        if (configuration[FileSetting] is { Length: > 0 } path)
        {
            yield return DeploymentSource.FromFile(path);
        }

        var inline = configuration.GetSection(JsonSetting);
        if (inline.Value is { Length: > 0 } json)
        {
            yield return DeploymentSource.FromJson(json, JsonSetting);
        }
        else if (inline.GetChildren().Any())
        {
            yield return DeploymentSource.FromConfiguration(inline, JsonSetting);
        }
    }

    /// <summary>The deployment as the registry's provisioning: integrations with their points of contact as channels.</summary>
    public static List<ProvisionedIntegration> ToProvisioning(DeploymentFile file) =>
        [.. file.Integrations.Values.Select(i =>
        {
            var integration = new ProvisionedIntegration
            {
                Id = i.Id,
                TenantId = i.TenantId,
                Name = i.Name,
                ClientId = i.ClientId,
                ClientSecret = i.ClientSecret,
                Cxone = new ProvisionedCxone
                {
                    Issuer = i.Cxone.Issuer,
                    DigitalApiBaseUrl = i.Cxone.DigitalApiBaseUrl,
                    AppClientId = i.Cxone.AppClientId,
                    AppClientSecret = i.Cxone.AppClientSecret,
                    AccessKeyId = i.Cxone.AccessKeyId,
                    AccessKeySecret = i.Cxone.AccessKeySecret,
                    SendUnpublishedChannelFields = i.Cxone.SendUnpublishedChannelFields,
                },
            };
            foreach (var p in i.PointsOfContact.Values)
            {
                var channel = new ProvisionedChannel { Id = p.Id, Connector = p.Connector, AccountId = p.AccountId, Name = p.Name, Icon = p.Icon, RegisterAtCxone = p.RegisterAtCxone };
                foreach (var (key, value) in p.Settings)
                {
                    channel.Settings[key] = value;
                }

                integration.Channels.Add(channel);
            }

            return integration;
        })];
}
