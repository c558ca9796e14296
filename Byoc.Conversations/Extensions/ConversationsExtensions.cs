using Byoc.Conversations.Cxone;
using Byoc.Conversations.Identity;
using Byoc.Conversations.Inbound;
using Byoc.Conversations.Operations;
using Byoc.Conversations.Outbound;
using Byoc.Conversations.Registry;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Byoc.ServiceDefaults;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Byoc.Conversations.Extensions;

internal static class ConversationsExtensions
{
    private const string DataProtectionKeys = "byoc:v1:data-protection-keys";

    public static IHostApplicationBuilder AddConversations(this IHostApplicationBuilder builder)
    {
        if (builder.Configuration["Byoc:ProvisioningFile"] is { Length: > 0 } file)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }

        var services = builder.Services;
        services.AddOptions<ConversationsOptions>().BindConfiguration(ConversationsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ProvisioningOptions>().BindConfiguration(ProvisioningOptions.Section).ValidateOnStart()
            .Validate(o => o.Integrations.TrueForAll(Valid), $"{ProvisioningOptions.Section}: every integration needs Id, TenantId, ClientId, ClientSecret and Cxone (Issuer, AppClientId, AppClientSecret, AccessKeyId, AccessKeySecret); every channel Id, Connector, AccountId and Icon.");
        services.AddSingleton<IValidateOptions<ProvisioningOptions>, ProvisioningValidation>();
        services.TryAddSingleton(TimeProvider.System);

        // CXone access keys and platform tokens are encrypted at rest with a key ring every replica shares.
        services.AddDataProtection().SetApplicationName("Byoc").ProtectKeysWithConfiguredCertificate(builder.Configuration, builder.Environment);
        services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer>((o, redis) =>
            o.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), DataProtectionKeys));

        // The pipelines retry CXone and connector calls themselves (keeping a thread's order), so the HTTP
        // resilience handler of the service defaults is taken off these clients.
#pragma warning disable EXTEXP0001 // The supported way to undo ConfigureHttpClientDefaults' resilience for one client.
        services.AddHttpClient(CxoneClient.HttpClientName, (sp, http) => http.Timeout = sp.GetRequiredService<IOptions<ConversationsOptions>>().Value.CxoneTimeout)
            .RemoveAllResilienceHandlers();
        services.AddInternalKey();
        services.AddHttpClient(ConnectorClients.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllResilienceHandlers()
            .AddHttpMessageHandler(sp => new Byoc.ServiceDefaults.InternalKeyHandler(sp.GetRequiredService<IConfiguration>()));
#pragma warning restore EXTEXP0001

        services.AddSingleton<RegistryStore>();
        services.AddSingleton<ClientSecretStore>();
        services.AddSingleton<IdMap>();
        services.AddSingleton<CxoneDiscovery>();
        services.AddSingleton<CxoneTokens>();
        services.AddSingleton<CxoneAuthCircuit>();
        services.AddSingleton<CxoneClient>();
        services.AddSingleton<MessageTimeline>();
        services.AddSingleton<InboundStreams>();
        services.AddSingleton<IngestDurability>();
        services.AddSingleton<DeadLetters>();
        services.AddSingleton<Ingestion>();
        services.AddSingleton<InboundDelivery>();
        services.AddSingleton(sp => new IntegrationGates(sp.GetRequiredService<IOptions<ConversationsOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<InboundWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<InboundWorker>());
        services.AddSingleton<ConnectorClients>();
        services.AddSingleton<ChannelResolver>();
        services.AddSingleton<OutboundDelivery>();
        services.AddSingleton<ChannelRegistrations>();
        services.AddHealthChecks().AddCheck<CxoneChannelsHealthCheck>("cxone-channels");
        services.AddHostedService<Provisioning>();
        services.AddHostedService<EvictionPolicyCheck>();
        return builder;
    }

    private static bool Valid(ProvisionedIntegration i) =>
        !string.IsNullOrEmpty(i.Id) && !string.IsNullOrEmpty(i.TenantId) && !string.IsNullOrEmpty(i.ClientId) && !string.IsNullOrEmpty(i.ClientSecret)
        && !string.IsNullOrEmpty(i.Cxone.Issuer) && !string.IsNullOrEmpty(i.Cxone.AppClientId) && !string.IsNullOrEmpty(i.Cxone.AppClientSecret)
        && !string.IsNullOrEmpty(i.Cxone.AccessKeyId) && !string.IsNullOrEmpty(i.Cxone.AccessKeySecret)
        && i.Channels.TrueForAll(c => !string.IsNullOrEmpty(c.Id) && !string.IsNullOrEmpty(c.Connector) && !string.IsNullOrEmpty(c.AccountId) && !string.IsNullOrEmpty(c.Icon));
}
