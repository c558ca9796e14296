using Byoc.Conversations.Cxone;
using Byoc.Deployment;
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
        services.AddProvisioning();
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
        services.AddSingleton<AccountHealthLog>();
        services.AddSingleton<ScopedChannels>();
        services.AddSingleton<MessageFinder>();
        services.AddSingleton<ConnectorHealthCheck>();
        services.AddSingleton<Ingestion>();
        services.AddSingleton<InboundDelivery>();
        services.AddSingleton(sp => new IntegrationGates(sp.GetRequiredService<IOptions<ConversationsOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<InboundWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<InboundWorker>());
        services.AddSingleton<ConnectorClients>();
        services.AddSingleton<ChannelResolver>();
        services.AddSingleton<OutboundDelivery>();
        services.AddSingleton<ChannelRegistrations>();
        services.AddSingleton<CxoneChannels>();
        services.AddSingleton<Byoc.Conversations.Administration.PointsOfContact>();
        services.AddSingleton<Byoc.Conversations.Administration.IntegrationCredentials>();
        services.AddHealthChecks().AddCheck<CxoneChannelsHealthCheck>("cxone-channels");
        services.AddHostedService<Provisioning>();
        services.AddHostedService<EvictionPolicyCheck>();
        return builder;
    }

    /// <summary>
    /// The provisioned registry: the deployment file when one is given (Byoc:DeploymentFile, Byoc:Deployment), which
    /// replaces Byoc:Provisioning (the Development demo) instead of merging with it; else Byoc:Provisioning. Either is
    /// validated at start, and an invalid one stops the service with every problem in the message.
    /// </summary>
    public static IServiceCollection AddProvisioning(this IServiceCollection services)
    {
        services.TryAddSingleton(SecretResolver.Default);
        services.TryAddSingleton<ProvisionedDeployment>();
        services.AddOptions<ProvisioningOptions>().ValidateOnStart()
            .Configure<ProvisionedDeployment, IConfiguration>((options, deployment, configuration) =>
            {
                if (deployment.File is { } file)
                {
                    options.Integrations = ProvisionedDeployment.ToProvisioning(file);
                }
                else
                {
                    configuration.GetSection(ProvisioningOptions.Section).Bind(options);
                }
            });
        services.AddSingleton<IValidateOptions<ProvisioningOptions>, ProvisioningValidation>();
        return services;
    }
}
