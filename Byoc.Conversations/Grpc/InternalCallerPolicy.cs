using Byoc.ServiceDefaults;

namespace Byoc.Conversations.Grpc;

/// <summary>
/// What each internal caller may call: the Edge serves CXone (outbound, credentials, operations); a connector
/// ingests what its platform sends and reads its own accounts (each handler checks the connector name against
/// the caller's with <see cref="InternalCallers.RequireConnector"/>).
/// </summary>
internal static class InternalCallerPolicy
{
    public static readonly InternalCallerRights Rights = new(new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["edge"] = [V1.Outbound.Descriptor.FullName, V1.Integrations.Descriptor.FullName, V1.Operations.Descriptor.FullName,
            Byoc.Administration.V1.Administration.Descriptor.FullName],
        [InternalCallerRights.AnyConnector] = [V1.Inbound.Descriptor.FullName, V1.Accounts.Descriptor.FullName],
    });
}
