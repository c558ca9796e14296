using Byoc.Conversations.Registry;
using Byoc.Conversations.V1;
using Byoc.ServiceDefaults;
using Grpc.Core;

namespace Byoc.Conversations.Grpc;

/// <summary>
/// Connector → Conversations: the settings of the platform accounts a connector serves, from the encrypted vault,
/// so platform tokens never sit in a connector's appsettings.
/// </summary>
public sealed class AccountsService(RegistryStore registry) : Accounts.AccountsBase
{
    public override async Task<GetAccountSettingsResponse> GetAccountSettings(GetAccountSettingsRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Connector))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "connector is required"));
        }

        // A connector reads only its own accounts' secrets.
        context.RequireConnector(request.Connector);
        var channels = string.IsNullOrEmpty(request.AccountId)
            ? await registry.ChannelsOfConnectorAsync(request.Connector)
            : await registry.FindChannelAsync(request.Connector, request.AccountId) is { } one ? [one] : [];
        var response = new GetAccountSettingsResponse();
        foreach (var channel in channels)
        {
            response.Accounts.Add(new AccountSettings
            {
                AccountId = channel.AccountId,
                ChannelId = channel.Id,
                Settings = { (await registry.GetAccountSettingsAsync(channel.Id)).ToDictionary() },
            });
        }

        return response;
    }
}
