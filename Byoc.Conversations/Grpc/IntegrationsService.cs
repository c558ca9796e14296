using Byoc.Conversations.Registry;
using Byoc.Conversations.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Byoc.Conversations.Grpc;

/// <summary>Edge → Conversations: the client credentials CXone presents at the token endpoint.</summary>
public sealed partial class IntegrationsService(RegistryStore registry, ClientSecretStore secrets, Cxone.CxoneClient cxone, ILogger<IntegrationsService> logger) : Integrations.IntegrationsBase
{
    /// <summary>
    /// The one-time token is checked with the one CXone the page was opened from (<c>cxone_host</c>: the host of an
    /// integration's issuer or Digital API), never with another: the registry is the allow-list, and a token is never
    /// shown to a CXone it was not issued by. Only that host's integrations of the tenant CXone names are answered.
    /// </summary>
    public override async Task<VerifySettingsTokenResponse> VerifySettingsToken(VerifySettingsTokenRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.CxoneHost))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "cxone_host is required: the CXone the settings page was opened from"));
        }

        if (string.IsNullOrEmpty(request.Token))
        {
            return new VerifySettingsTokenResponse { Valid = false };
        }

        var integrations = (await registry.IntegrationsAsync()).Where(i => ServesHost(i, request.CxoneHost)).ToList();
        var cxones = integrations.DistinctBy(i => (i.Cxone.Issuer, i.Cxone.DigitalApiBaseUrl, i.TenantId)).ToList();
        if (cxones.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"cxone_host: no integration uses the CXone host '{request.CxoneHost}'"));
        }

        if (cxones.DistinctBy(i => i.Cxone.DigitalApiBaseUrl ?? i.Cxone.Issuer + "\n" + i.TenantId).Count() > 1)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"cxone_host: '{request.CxoneHost}' is the host of more than one CXone; open the page with the Digital API host as apiHost"));
        }

        var integration = cxones[0];
        Cxone.CxoneResult answer;
        try
        {
            answer = await cxone.VerifyOneTimeTokenAsync(integration, request.BrandId, request.UserId, request.Token, context.CancellationToken);
        }
        catch (Cxone.CxoneDiscoveryException e)
        {
            LogCxoneNotFound(integration.Id, e.Message);
            throw new RpcException(new Status(StatusCode.Unavailable, "the CXone of this host cannot be reached"));
        }

        if (!answer.IsAccepted || System.Text.Json.Nodes.JsonNode.Parse(answer.Body!) is not { } body)
        {
            return new VerifySettingsTokenResponse { Valid = false };
        }

        var tenant = body["brand"]?["tenantId"]?.GetValue<string>() ?? integration.TenantId;
        // Only this host's integrations of that tenant: never another tenant's, nor another CXone's.
        var own = integrations.Where(i => i.TenantId == tenant).ToList();
        if (own.Count == 0)
        {
            return new VerifySettingsTokenResponse { Valid = false };
        }

        var response = new VerifySettingsTokenResponse
        {
            Valid = true,
            TenantId = tenant,
            UserEmail = body["user"]?["emailAddress"]?.GetValue<string>() ?? string.Empty,
            UserName = $"{body["user"]?["firstName"]?.GetValue<string>()} {body["user"]?["surname"]?.GetValue<string>()}".Trim(),
        };
        foreach (var one in own)
        {
            var channels = await registry.ChannelsOfIntegrationAsync(one.Id);
            response.Integrations.Add(new SettingsIntegration
            {
                IntegrationId = one.Id,
                Name = one.Name,
                ClientId = one.ClientId,
                Channels = { channels.Select(c => new SettingsChannel { ChannelId = c.Id, Name = c.Name, Connector = c.Connector, AccountId = c.AccountId, Icon = c.Icon }) },
            });
        }

        return response;
    }

    // Compared by authority (host, and port when not the default): what the Edge sends from apiHost or backUrl.
    private static bool ServesHost(Registry.Integration integration, string host) =>
        new[] { integration.Cxone.Issuer, integration.Cxone.DigitalApiBaseUrl }
            .Any(u => Uri.TryCreate(u, UriKind.Absolute, out var url) && string.Equals(url.Authority, host, StringComparison.OrdinalIgnoreCase));

    public override async Task<VerifyClientCredentialsResponse> VerifyClientCredentials(VerifyClientCredentialsRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.ClientId) || string.IsNullOrEmpty(request.ClientSecret))
        {
            return new VerifyClientCredentialsResponse { Valid = false };
        }

        var verified = await secrets.VerifyAsync(request.ClientId, request.ClientSecret);
        return verified is null
            ? new VerifyClientCredentialsResponse { Valid = false, KnownClient = await secrets.IsKnownClientAsync(request.ClientId) }
            : new VerifyClientCredentialsResponse
            {
                Valid = true,
                KnownClient = true,
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
