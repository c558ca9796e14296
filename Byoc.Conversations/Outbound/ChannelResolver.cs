using Byoc.Conversations.Identity;
using Byoc.Conversations.Registry;
using Grpc.Core;

namespace Byoc.Conversations.Outbound;

/// <summary>
/// Finds the channel a CXone call is about and checks it belongs to the integration whose token made the call:
/// another integration's channel answers PERMISSION_DENIED (the Edge turns it into 404 and logs a security event).
/// </summary>
public sealed partial class ChannelResolver(RegistryStore registry, IdMap ids, ILogger<ChannelResolver> logger)
{
    public async Task<Channel> ResolveAsync(string integrationId, string channelId, string threadId)
    {
        if (string.IsNullOrEmpty(integrationId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "integration_id is required"));
        }

        if (string.IsNullOrEmpty(channelId))
        {
            // Legacy replies may name only the thread, and whether CXone's {postId} is the id Byoc gave it or the
            // platform's own is not public (cxone-contract §5): both are tried, in that order.
            channelId = string.IsNullOrEmpty(threadId) ? string.Empty : await FindThreadChannelAsync(integrationId, threadId) ?? string.Empty;
            if (channelId.Length == 0)
            {
                throw new RpcException(new Status(StatusCode.NotFound, "no channel is known for this thread"));
            }
        }

        var channel = await registry.GetChannelAsync(channelId)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no channel '{channelId}'"));
        if (channel.IntegrationId != integrationId)
        {
            LogCrossIntegration(integrationId, channelId);
            throw new RpcException(new Status(StatusCode.PermissionDenied, "the channel belongs to another integration"));
        }

        return channel;
    }

    /// <summary>
    /// The thread as CXone's id (the idOnExternalPlatform Byoc gave it, any integration: ownership is checked after),
    /// else as a platform thread id on one of the calling integration's own channels.
    /// </summary>
    private async Task<string?> FindThreadChannelAsync(string integrationId, string threadId)
    {
        if (await ids.FindThreadChannelAsync(threadId) is { } byCxoneId)
        {
            return byCxoneId;
        }

        foreach (var channel in await registry.ChannelsOfIntegrationAsync(integrationId))
        {
            if (await ids.FindByPlatformIdAsync(channel.Id, V1.IdKind.Thread, threadId) is not null)
            {
                return channel.Id;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, EventName = "SecurityCrossIntegration", Message = "Security: integration {IntegrationId} asked for channel {ChannelId} of another integration")]
    private partial void LogCrossIntegration(string integrationId, string channelId);
}
