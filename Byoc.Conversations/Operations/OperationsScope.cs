using Byoc.Conversations.Registry;
using Byoc.Conversations.V1;

namespace Byoc.Conversations.Operations;

/// <summary>The channels a caller's tenant scope covers, each with its integration's tenant.</summary>
public sealed class ScopedChannels(RegistryStore registry)
{
    public async Task<IReadOnlyList<(Channel Channel, Integration Integration)>> OfAsync(TenantScope scope)
    {
        Scopes.Require(scope);
        var integrations = (await registry.IntegrationsAsync()).Where(i => Scopes.Includes(scope, i.TenantId)).ToList();
        var channels = await Task.WhenAll(integrations.Select(async i => (await registry.ChannelsOfIntegrationAsync(i.Id)).Select(c => (c, i))));
        return [.. channels.SelectMany(c => c)];
    }
}
