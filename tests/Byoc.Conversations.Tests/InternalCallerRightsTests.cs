using Byoc.Conversations.V1;
using Byoc.Messages.V1;
using Byoc.Testing;
using Grpc.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace Byoc.Conversations.Tests;

/// <summary>Each internal caller's own key, and only its own methods and connector name.</summary>
[Collection(StackCollection.Name)]
public sealed class InternalCallerRightsTests(ConversationsStack stack)
{
    [Fact]
    public async Task A_connector_credential_cannot_call_an_edge_only_method()
    {
        using var connector = stack.ChannelWithKey(ConversationsStack.ConnectorKey);

        var outbound = await Assert.ThrowsAsync<RpcException>(() => new V1.Outbound.OutboundClient(connector)
            .ValidateRecipientsAsync(new ValidateRecipientsRequest { IntegrationId = "acme", ChannelId = "acme-1", Recipients = { new Recipient { ExternalId = "jane" } } }).ResponseAsync);
        var secrets = await Assert.ThrowsAsync<RpcException>(() => new V1.Integrations.IntegrationsClient(connector)
            .IssueClientSecretAsync(new IssueClientSecretRequest { IntegrationId = "initech" }).ResponseAsync);
        var operations = await Assert.ThrowsAsync<RpcException>(() => new V1.Operations.OperationsClient(connector)
            .ListDeadLettersAsync(new ListDeadLettersRequest()).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, outbound.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, secrets.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, operations.StatusCode);
    }

    [Fact]
    public async Task Connector_A_credential_cannot_read_connector_B_account_secrets()
    {
        using var other = stack.ChannelWithKey(ConversationsStack.OtherConnectorKey);
        var accounts = new V1.Accounts.AccountsClient(other);

        var refused = await Assert.ThrowsAsync<RpcException>(() => accounts.GetAccountSettingsAsync(new GetAccountSettingsRequest { Connector = "test" }).ResponseAsync);
        var refusedOne = await Assert.ThrowsAsync<RpcException>(() => accounts.GetAccountSettingsAsync(new GetAccountSettingsRequest { Connector = "test", AccountId = "a1" }).ResponseAsync);
        // Its own accounts it may read (it has none here): its key, configured as a hash, is accepted.
        var own = await accounts.GetAccountSettingsAsync(new GetAccountSettingsRequest { Connector = "other" });

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, refusedOne.StatusCode);
        Assert.Empty(own.Accounts);
    }

    [Fact]
    public async Task Connector_A_credential_cannot_ingest_or_report_as_connector_B()
    {
        using var other = stack.ChannelWithKey(ConversationsStack.OtherConnectorKey);
        var inbound = new V1.Inbound.InboundClient(other);
        var thread = Sample.Unique("impostor");

        var ingest = await Assert.ThrowsAsync<RpcException>(() => inbound.IngestAsync(Sample.Ingest("a1", thread, Sample.Unique("m"), "not from test")).ResponseAsync);
        var receipt = await Assert.ThrowsAsync<RpcException>(() => inbound.ReportReceiptAsync(new ReportReceiptRequest { Connector = "test", AccountId = "a1" }).ResponseAsync);
        var typing = await Assert.ThrowsAsync<RpcException>(() => inbound.ReportSenderActionAsync(new ReportSenderActionRequest { Connector = "test", AccountId = "a1" }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, ingest.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, receipt.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, typing.StatusCode);
    }

    [Fact]
    public async Task The_edge_credential_cannot_ingest_nor_read_account_secrets()
    {
        using var edge = stack.ChannelWithKey(ConversationsStack.EdgeKey);

        var ingest = await Assert.ThrowsAsync<RpcException>(() => new V1.Inbound.InboundClient(edge)
            .IngestAsync(Sample.Ingest("a1", Sample.Unique("edge"), Sample.Unique("m"), "not from a connector")).ResponseAsync);
        var accounts = await Assert.ThrowsAsync<RpcException>(() => new V1.Accounts.AccountsClient(edge)
            .GetAccountSettingsAsync(new GetAccountSettingsRequest { Connector = "test" }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, ingest.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, accounts.StatusCode);
    }

    [Fact]
    public async Task A_key_no_caller_holds_is_unauthenticated()
    {
        using var stranger = stack.ChannelWithKey("a-key-nobody-was-given-0123456789");

        var refused = await Assert.ThrowsAsync<RpcException>(() => new V1.Operations.OperationsClient(stranger).ListDeadLettersAsync(new ListDeadLettersRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }
}

/// <summary>Internal calls fail closed: only Development may run without keys.</summary>
public sealed class InternalKeyStartupTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public void Outside_development_conversations_without_internal_keys_fails_start_up_naming_the_settings()
    {
        using var factory = Conversations("Production", "127.0.0.1:1,connectTimeout=100,abortConnect=false");

        var e = Assert.ThrowsAny<OptionsValidationException>(() => factory.Server);

        Assert.Contains("Byoc:InternalKey", e.Message, StringComparison.Ordinal);
        Assert.Contains("Byoc:InternalCallers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_development_conversations_without_a_key_ring_certificate_fails_start_up_naming_the_setting()
    {
        using var factory = Conversations("Production", "127.0.0.1:1,connectTimeout=100,abortConnect=false", withCertificate: false);

        var e = Assert.ThrowsAny<InvalidOperationException>(() => factory.Server);

        Assert.Contains("Byoc:DataProtection:Certificate:Path", e.Message, StringComparison.Ordinal);
        Assert.Contains("Byoc:DataProtection:Certificate:Base64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void In_development_conversations_without_internal_keys_starts()
    {
        using var factory = Conversations("Development", redis.ConnectionString, withCertificate: false);

        Assert.NotNull(factory.Server);
    }

    // Nothing provisioned: only the internal keys are at stake.
    private static WebApplicationFactory<Program> Conversations(string environment, string redis, bool withCertificate = true) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment(environment);
            web.UseSetting("ConnectionStrings:redis", redis);
            if (withCertificate)
            {
                web.UseSetting(KeyRingCertificate.Setting, KeyRingCertificate.Base64);
            }
        });
}
