using Byoc.Conversations.Registry;
using Byoc.Conversations.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Byoc.Conversations.Grpc;

/// <summary>Edge → Conversations: the client credentials CXone presents at the token endpoint.</summary>
public sealed class IntegrationsService(RegistryStore registry) : Integrations.IntegrationsBase
{
    public override async Task<VerifyClientCredentialsResponse> VerifyClientCredentials(VerifyClientCredentialsRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.ClientId) || string.IsNullOrEmpty(request.ClientSecret))
        {
            return new VerifyClientCredentialsResponse { Valid = false };
        }

        var integration = await registry.VerifyClientAsync(request.ClientId, request.ClientSecret);
        return integration is null
            ? new VerifyClientCredentialsResponse { Valid = false }
            : new VerifyClientCredentialsResponse { Valid = true, IntegrationId = integration.Id, TenantId = integration.TenantId };
    }

    public override async Task<IssueClientSecretResponse> IssueClientSecret(IssueClientSecretRequest request, ServerCallContext context)
    {
        var overlap = request.PreviousSecretOverlap?.ToTimeSpan() ?? TimeSpan.Zero;
        if (overlap < TimeSpan.Zero || overlap > TimeSpan.FromDays(30))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "previous_secret_overlap must be between 0 and 30 days"));
        }

        try
        {
            var (clientId, secret, previousUntil) = await registry.RotateClientSecretAsync(request.IntegrationId, overlap);
            return new IssueClientSecretResponse
            {
                ClientId = clientId,
                ClientSecret = secret,
                PreviousSecretValidUntil = previousUntil is { } until ? Timestamp.FromDateTimeOffset(until) : null,
            };
        }
        catch (KeyNotFoundException)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"no integration '{request.IntegrationId}'"));
        }
    }
}
