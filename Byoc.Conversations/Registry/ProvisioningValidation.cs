using Byoc.Deployment;
using Microsoft.Extensions.Options;

namespace Byoc.Conversations.Registry;

/// <summary>
/// Checks at start-up (ValidateOnStart) what CXone would refuse later, in the background, where nobody sees it.
/// With a deployment file: every problem of <see cref="DeploymentValidation"/> at once, so Conversations never starts
/// half-configured. With the legacy <c>Byoc:Provisioning</c>: the required fields, and each channel's icon must be
/// one of CXone's values (the message names the setting and the valid values).
/// </summary>
public sealed class ProvisioningValidation(ProvisionedDeployment deployment) : IValidateOptions<ProvisioningOptions>
{
    private const string Required =
        $"{ProvisioningOptions.Section}: every integration needs Id, TenantId, ClientId, ClientSecret and Cxone (Issuer, AppClientId, AppClientSecret, AccessKeyId, AccessKeySecret); every channel Id, Connector, AccountId and Icon.";

    public ValidateOptionsResult Validate(string? name, ProvisioningOptions options)
    {
        if (deployment.IsGiven)
        {
            var errors = deployment.Problems.Where(p => p.IsError).ToList();
            return errors.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail([DeploymentCheck.Refusal(deployment.File!.Source, errors)]);
        }

        var failures = new List<string>();
        if (!options.Integrations.TrueForAll(Valid))
        {
            failures.Add(Required);
        }

        for (var i = 0; i < options.Integrations.Count; i++)
        {
            var channels = options.Integrations[i].Channels;
            for (var c = 0; c < channels.Count; c++)
            {
                if (!string.IsNullOrEmpty(channels[c].Icon) && !CxoneIcons.IsValid(channels[c].Icon))
                {
                    failures.Add(CxoneIcons.Invalid($"{ProvisioningOptions.Section}:Integrations:{i}:Channels:{c}:Icon (channel '{channels[c].Id}')", channels[c].Icon));
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool Valid(ProvisionedIntegration i) =>
        !string.IsNullOrEmpty(i.Id) && !string.IsNullOrEmpty(i.TenantId) && !string.IsNullOrEmpty(i.ClientId) && !string.IsNullOrEmpty(i.ClientSecret)
        && !string.IsNullOrEmpty(i.Cxone.Issuer) && !string.IsNullOrEmpty(i.Cxone.AppClientId) && !string.IsNullOrEmpty(i.Cxone.AppClientSecret)
        && !string.IsNullOrEmpty(i.Cxone.AccessKeyId) && !string.IsNullOrEmpty(i.Cxone.AccessKeySecret)
        && i.Channels.TrueForAll(c => !string.IsNullOrEmpty(c.Id) && !string.IsNullOrEmpty(c.Connector) && !string.IsNullOrEmpty(c.AccountId) && !string.IsNullOrEmpty(c.Icon));
}
