using Byoc.Conversations.Registry;
using Byoc.Conversations.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Byoc.Conversations.Grpc;

/// <summary>Edge → Conversations: the client credentials CXone presents at the token endpoint.</summary>
public sealed partial class IntegrationsService(RegistryStore registry, ClientSecretStore secrets, Cxone.CxoneClient cxone, ILogger<IntegrationsService> logger) : Integrations.IntegrationsBase
{
    /// <summary>
    /// The one-time token names no integration, so each distinct CXone the registry knows is asked in turn; the
    /// first that accepts it (a token is single-use, so at most one can) says the tenant, and so the integrations.
    /// </summary>
    public override async Task<VerifySettingsTokenResponse> VerifySettingsToken(VerifySettingsTokenRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Token))
        {
            return new VerifySettingsTokenResponse { Valid = false };
        }

        var integrations = await registry.IntegrationsAsync();
        foreach (var integration in integrations.DistinctBy(i => (i.Cxone.Issuer, i.Cxone.DigitalApiBaseUrl, i.TenantId)))
        {
            Cxone.CxoneResult answer;
            try
            {
                answer = await cxone.VerifyOneTimeTokenAsync(integration, request.BrandId, request.UserId, request.Token, context.CancellationToken);
            }
            catch (Cxone.CxoneDiscoveryException e)
            {
                // One integration whose CXone cannot be found must not lock every other tenant out of its settings.
                LogCxoneNotFound(integration.Id, e.Message);
                continue;
            }

            if (!answer.IsAccepted || System.Text.Json.Nodes.JsonNode.Parse(answer.Body!) is not { } body)
            {
                continue;
            }

            var tenant = body["brand"]?["tenantId"]?.GetValue<string>() ?? integration.TenantId;
            var response = new VerifySettingsTokenResponse
            {
                Valid = true,
                TenantId = tenant,
                UserEmail = body["user"]?["emailAddress"]?.GetValue<string>() ?? string.Empty,
                UserName = $"{body["user"]?["firstName"]?.GetValue<string>()} {body["user"]?["surname"]?.GetValue<string>()}".Trim(),
            };
            foreach (var own in integrations.Where(i => i.TenantId == tenant))
            {
                var channels = await registry.ChannelsOfIntegrationAsync(own.Id);
                response.Integrations.Add(new SettingsIntegration
                {
                    IntegrationId = own.Id,
                    Name = own.Name,
                    ClientId = own.ClientId,
                    Channels = { channels.Select(c => new SettingsChannel { ChannelId = c.Id, Name = c.Name, Connector = c.Connector, AccountId = c.AccountId, Icon = c.Icon }) },
                });
            }

            return response;
        }

        return new VerifySettingsTokenResponse { Valid = false };
    }

    public override async Task<VerifyClientCredentialsResponse> VerifyClientCredentials(VerifyClientCredentialsRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.ClientId) || string.IsNullOrEmpty(request.ClientSecret))
        {
            return new VerifyClientCredentialsResponse { Valid = false };
        }

        var verified = await secrets.VerifyAsync(request.ClientId, request.ClientSecret);
        return verified is null
            ? new VerifyClientCredentialsResponse { Valid = false }
            : new VerifyClientCredentialsResponse
            {
                Valid = true,
                IntegrationId = verified.Integration.Id,
                TenantId = verified.Integration.TenantId,
                SecretGeneration = verified.Generation,
            };
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
            var issued = await secrets.RotateAsync(request.IntegrationId, overlap, request.IdempotencyKey);
            return new IssueClientSecretResponse
            {
                ClientId = issued.ClientId,
                ClientSecret = issued.Secret,
                PreviousSecretValidUntil = issued.PreviousValidUntil is { } until ? Timestamp.FromDateTimeOffset(until) : null,
                SecretGeneration = issued.Generation,
            };
        }
        catch (KeyNotFoundException)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"no integration '{request.IntegrationId}'"));
        }
        catch (IdempotencyKeyReusedException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }

    public override async Task<GetSecretGenerationsResponse> GetSecretGenerations(GetSecretGenerationsRequest request, ServerCallContext context) =>
        await secrets.AcceptedGenerationsAsync(request.IntegrationId) is { } accepted
            ? new GetSecretGenerationsResponse { Accepted = { accepted } }
            : throw new RpcException(new Status(StatusCode.NotFound, $"no integration '{request.IntegrationId}'"));

    public override async Task<RevokePreviousClientSecretResponse> RevokePreviousClientSecret(RevokePreviousClientSecretRequest request, ServerCallContext context)
    {
        try
        {
            // Idempotent by nature: revoking twice ends the same overlap.
            return new RevokePreviousClientSecretResponse { CurrentGeneration = await secrets.RevokePreviousAsync(request.IntegrationId) };
        }
        catch (KeyNotFoundException)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"no integration '{request.IntegrationId}'"));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A settings token could not be checked with integration {IntegrationId}'s CXone: {Reason}")]
    private partial void LogCxoneNotFound(string integrationId, string reason);
}
