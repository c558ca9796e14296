using Byoc.Conversations.V1;
using Google.Protobuf.WellKnownTypes;
using StackExchange.Redis;

namespace Byoc.Conversations.Tests;

[Collection(StackCollection.Name)]
public sealed class IntegrationsTests(ConversationsStack stack)
{
    [Fact]
    public async Task Provisioned_client_credentials_are_valid_and_name_their_integration()
    {
        var valid = await stack.Integrations.VerifyClientCredentialsAsync(new VerifyClientCredentialsRequest { ClientId = "globex-client", ClientSecret = "globex-client-secret" });
        var wrong = await stack.Integrations.VerifyClientCredentialsAsync(new VerifyClientCredentialsRequest { ClientId = "globex-client", ClientSecret = "guess" });
        var unknown = await stack.Integrations.VerifyClientCredentialsAsync(new VerifyClientCredentialsRequest { ClientId = "nobody", ClientSecret = "globex-client-secret" });

        Assert.True(valid.Valid);
        Assert.Equal("globex", valid.IntegrationId);
        Assert.Equal("11ee0000-sand-b0x0-0000-000000000001", valid.TenantId);
        Assert.False(wrong.Valid);
        Assert.False(unknown.Valid);
    }

    [Fact]
    public async Task A_rotated_secret_works_at_once_and_the_old_one_only_for_the_overlap()
    {
        var first = await stack.Integrations.IssueClientSecretAsync(new IssueClientSecretRequest { IntegrationId = "initech", PreviousSecretOverlap = Duration.FromTimeSpan(TimeSpan.FromHours(1)) });
        var second = await stack.Integrations.IssueClientSecretAsync(new IssueClientSecretRequest { IntegrationId = "initech", PreviousSecretOverlap = Duration.FromTimeSpan(TimeSpan.Zero) });

        Assert.Equal("initech-client", second.ClientId);
        Assert.NotEqual(first.ClientSecret, second.ClientSecret);
        Assert.True((await Verify(second.ClientSecret)).Valid);
        Assert.False((await Verify(first.ClientSecret)).Valid); // overlap zero: revoked at once
        Assert.Null(second.PreviousSecretValidUntil);

        var third = await stack.Integrations.IssueClientSecretAsync(new IssueClientSecretRequest { IntegrationId = "initech", PreviousSecretOverlap = Duration.FromTimeSpan(TimeSpan.FromMinutes(5)) });
        Assert.True((await Verify(third.ClientSecret)).Valid);
        Assert.True((await Verify(second.ClientSecret)).Valid); // within its overlap
        Assert.InRange(third.PreviousSecretValidUntil.ToDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(4), DateTimeOffset.UtcNow.AddMinutes(6));

        Task<VerifyClientCredentialsResponse> Verify(string secret) =>
            stack.Integrations.VerifyClientCredentialsAsync(new VerifyClientCredentialsRequest { ClientId = "initech-client", ClientSecret = secret }).ResponseAsync;
    }

    [Fact]
    public async Task Secrets_are_stored_hashed_or_encrypted_never_as_given()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);

        var stored = await redis.GetDatabase().HashGetAllAsync("byoc:v1:{i:acme}:integration");

        var values = stored.Select(e => e.Value.ToString()).ToList();
        Assert.NotEmpty(values);
        Assert.DoesNotContain(values, v => v.Contains(ConversationsStack.AcmeSecret, StringComparison.Ordinal));
        Assert.DoesNotContain(values, v => v.Contains("sandbox-access-secret", StringComparison.Ordinal));
        Assert.DoesNotContain(values, v => v.Contains("sandbox-app-secret", StringComparison.Ordinal));
        Assert.Equal("sandbox-access-key", stored.Single(e => e.Name == "cxone.accessKeyId").Value.ToString());
    }

    [Fact]
    public async Task Provisioning_again_changes_nothing_and_keeps_a_rotated_secret()
    {
        var rotated = await stack.Integrations.IssueClientSecretAsync(new IssueClientSecretRequest { IntegrationId = "initech", PreviousSecretOverlap = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)) });
        var provisioning = stack.Service<IEnumerable<Microsoft.Extensions.Hosting.IHostedService>>().OfType<Registry.Provisioning>().Single();

        await provisioning.StartAsync(CancellationToken.None);

        var check = await stack.Integrations.VerifyClientCredentialsAsync(new VerifyClientCredentialsRequest { ClientId = "initech-client", ClientSecret = rotated.ClientSecret });
        Assert.True(check.Valid);
        Assert.Equal("initech", check.IntegrationId);
    }
}

[Collection(StackCollection.Name)]
public sealed class InternalCallerTests(ConversationsStack stack)
{
    [Fact]
    public async Task A_call_without_the_internal_key_is_unauthenticated_and_health_stays_open_for_probes()
    {
        using var outsider = global::Grpc.Net.Client.GrpcChannel.ForAddress(stack.Factory.Server.BaseAddress, new global::Grpc.Net.Client.GrpcChannelOptions { HttpHandler = stack.Factory.Server.CreateHandler() });

        var refused = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() =>
            new V1.Accounts.AccountsClient(outsider).GetAccountSettingsAsync(new GetAccountSettingsRequest { Connector = "test" }).ResponseAsync);
        var health = await new global::Grpc.Health.V1.Health.HealthClient(outsider).CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest());

        Assert.Equal(global::Grpc.Core.StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }
}
