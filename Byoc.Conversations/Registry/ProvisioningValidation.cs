using Byoc.Deployment;
using Byoc.Conversations.Cxone;
using Microsoft.Extensions.Options;

namespace Byoc.Conversations.Registry;

/// <summary>
/// Checks at start-up (ValidateOnStart) what CXone would refuse later, in the background, where nobody sees it:
/// each channel's icon must be one of CXone's values. The message names the setting and the valid values.
/// </summary>
public sealed class ProvisioningValidation : IValidateOptions<ProvisioningOptions>
{
    public ValidateOptionsResult Validate(string? name, ProvisioningOptions options)
    {
        var failures = new List<string>();
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
}
