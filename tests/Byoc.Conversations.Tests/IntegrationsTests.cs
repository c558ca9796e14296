using System.Net.Http.Json;
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
    public async Task A_retried_rotation_with_the_same_idempotency_key_returns_the_same_secret_and_the_previous_secret_still_works()
    {
        var before = await Rotate(null, TimeSpan.Zero);
        var key = $"rotate-{Guid.NewGuid():N}";

        var first = await Rotate(key, TimeSpan.FromHours(1));
        var retried = await Rotate(key, TimeSpan.FromHours(1));

        Assert.Equal(first.ClientSecret, retried.ClientSecret);
        Assert.Equal(first.SecretGeneration, retried.SecretGeneration);
        Assert.Equal(first.PreviousSecretValidUntil, retried.PreviousSecretValidUntil);
        Assert.True((await Verify(first.ClientSecret)).Valid);
        var previous = await Verify(before.ClientSecret);
        Assert.True(previous.Valid); // a second mint would have made the first the previous one, ending this one
        Assert.Equal(before.SecretGeneration, previous.SecretGeneration);
    }

    [Fact]
    public async Task The_same_idempotency_key_with_another_overlap_is_refused_and_rotates_nothing()
    {
        var key = $"rotate-{Guid.NewGuid():N}";
        var first = await Rotate(key, TimeSpan.FromHours(1));

        var refused = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => Rotate(key, TimeSpan.FromMinutes(5)));

        Assert.Equal(global::Grpc.Core.StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("idempotency_key", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(first.SecretGeneration, (await Verify(first.ClientSecret)).SecretGeneration);
    }

    [Fact]
    public async Task The_stored_rotation_answer_does_not_hold_the_secret_in_clear()
    {
        var issued = await Rotate($"rotate-{Guid.NewGuid():N}", TimeSpan.FromMinutes(1));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);
        var server = redis.GetServer(redis.GetEndPoints()[0]);

        var answers = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: "byoc:v1:{i:initech}:secret-rotation:*"))
        {
            answers.Add((await redis.GetDatabase().StringGetAsync(key)).ToString());
            Assert.InRange((await redis.GetDatabase().KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
        }

        Assert.NotEmpty(answers);
        Assert.DoesNotContain(answers, a => a.Contains(issued.ClientSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_rotations_with_different_keys_leave_one_current_secret_and_the_one_before_it_as_previous()
    {
        var issued = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Rotate($"concurrent-{i}-{Guid.NewGuid():N}", TimeSpan.FromHours(1))));

        Assert.Equal(12, issued.Select(i => i.SecretGeneration).Distinct().Count());
        var ordered = issued.OrderBy(i => i.SecretGeneration).ToList();
        var checks = await Task.WhenAll(ordered.Select(i => Verify(i.ClientSecret)));
        // Serialised: each rotation kept the secret the one before it issued, so only the last two still work.
        Assert.True(checks[^1].Valid);
        Assert.Equal(ordered[^1].SecretGeneration, checks[^1].SecretGeneration);
        Assert.True(checks[^2].Valid);
        Assert.Equal(ordered[^1].SecretGeneration - 1, ordered[^2].SecretGeneration);
        Assert.All(checks[..^2], c => Assert.False(c.Valid));
        var accepted = await stack.Integrations.GetSecretGenerationsAsync(new GetSecretGenerationsRequest { IntegrationId = "initech" });
        Assert.Equal([ordered[^1].SecretGeneration, ordered[^2].SecretGeneration], accepted.Accepted);
    }

    [Fact]
    public async Task Revoking_the_previous_secret_ends_its_overlap_and_its_generation()
    {
        var old = await Rotate(null, TimeSpan.Zero);
        var current = await Rotate(null, TimeSpan.FromHours(1));
        Assert.True((await Verify(old.ClientSecret)).Valid);

        var revoked = await stack.Integrations.RevokePreviousClientSecretAsync(new RevokePreviousClientSecretRequest { IntegrationId = "initech", IdempotencyKey = "revoke-1" });

        Assert.Equal(current.SecretGeneration, revoked.CurrentGeneration);
        Assert.False((await Verify(old.ClientSecret)).Valid);
        Assert.True((await Verify(current.ClientSecret)).Valid);
        var accepted = await stack.Integrations.GetSecretGenerationsAsync(new GetSecretGenerationsRequest { IntegrationId = "initech" });
        Assert.Equal([current.SecretGeneration], accepted.Accepted);
    }

    private Task<IssueClientSecretResponse> Rotate(string? idempotencyKey, TimeSpan overlap) =>
        stack.Integrations.IssueClientSecretAsync(new IssueClientSecretRequest
        {
            IntegrationId = "initech",
            IdempotencyKey = idempotencyKey ?? string.Empty,
            PreviousSecretOverlap = Duration.FromTimeSpan(overlap),
        }).ResponseAsync;

    private Task<VerifyClientCredentialsResponse> Verify(string secret) =>
        stack.Integrations.VerifyClientCredentialsAsync(new VerifyClientCredentialsRequest { ClientId = "initech-client", ClientSecret = secret }).ResponseAsync;

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

[Collection(StackCollection.Name)]
public sealed class SettingsTokenTests(ConversationsStack stack)
{
    [Fact]
    public async Task A_settings_token_is_verified_only_with_the_cxone_the_request_names_and_the_others_see_no_call()
    {
        // Another tenant's CXone, asked first by id order if anything asked every CXone: it only counts connections.
        using var other = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        other.Start();
        var otherUrl = $"http://localhost:{((System.Net.IPEndPoint)other.LocalEndpoint).Port}";
        var registry = stack.Service<Registry.RegistryStore>();
        await registry.UpsertIntegrationAsync(new Registry.Integration("aaa-other", "tenant-other", "Other", "other-client",
            new Registry.CxoneAccess(otherUrl, "app", "app-secret", "key", "key-secret", otherUrl + "/dfo/3.0")), "other-secret");
        try
        {
            var issued = await (await stack.Sandbox.Http.PostAsync("/sandbox/cxone/one-time-tokens?userId=123", null)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();

            var answer = await stack.Integrations.VerifySettingsTokenAsync(new VerifySettingsTokenRequest
            {
                BrandId = 4567, UserId = 123, Token = issued.GetProperty("token").GetString()!, CxoneHost = stack.Sandbox.Url.Authority,
            });

            Assert.True(answer.Valid);
            Assert.DoesNotContain(answer.Integrations, i => i.IntegrationId == "aaa-other");
            Assert.Contains(answer.Integrations, i => i.IntegrationId == "acme");
            Assert.False(other.Pending(), "the other tenant's CXone was sent the token");
        }
        finally
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);
            await redis.GetDatabase().SetRemoveAsync("byoc:v1:integrations", "aaa-other");
        }
    }

    [Fact]
    public async Task An_unknown_cxone_host_is_refused_and_the_token_is_sent_to_no_cxone()
    {
        var issued = await (await stack.Sandbox.Http.PostAsync("/sandbox/cxone/one-time-tokens?userId=123", null)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var token = issued.GetProperty("token").GetString()!;

        var refused = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => stack.Integrations.VerifySettingsTokenAsync(new VerifySettingsTokenRequest
        {
            BrandId = 4567, UserId = 123, Token = token, CxoneHost = "api-evil.example",
        }).ResponseAsync);

        Assert.Equal(global::Grpc.Core.StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("cxone_host", refused.Status.Detail, StringComparison.Ordinal);
        // A one-time token works once: it still works, so no CXone was asked.
        var right = await stack.Integrations.VerifySettingsTokenAsync(new VerifySettingsTokenRequest
        {
            BrandId = 4567, UserId = 123, Token = token, CxoneHost = stack.Sandbox.Url.Authority,
        });
        Assert.True(right.Valid);
    }
}
