using Microsoft.Extensions.Configuration;
using Byoc.Conversations.V1;
using Byoc.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Byoc.Conversations.Tests;

/// <summary>
/// Conversations (in-process, with its background workers) against a real redis-server, the real CXone simulator
/// over real HTTP, and a test connector over real HTTP/2. Two integrations: "acme" (channels acme-1, acme-2 on
/// the test connector's accounts a1, a2), "globex" (channel globex-1), and "initech" (no channel; its secret is
/// the one tests rotate).
/// </summary>
public sealed class ConversationsStack : IAsyncLifetime
{
    public const string AcmeSecret = "acme-client-secret";
    /// <summary>The key Conversations presents to connectors.</summary>
    public const string InternalKey = "test-internal-key-0123456789";

    /// <summary>The Edge's key: outbound, integrations, operations.</summary>
    public const string EdgeKey = "test-edge-key-0123456789abcdef";

    /// <summary>The test connector's key ("connector-test"): ingest and accounts of connector "test" only.</summary>
    public const string ConnectorKey = "test-connector-key-0123456789";

    /// <summary>Another connector's key ("connector-other"), configured as its hash.</summary>
    public const string OtherConnectorKey = "other-connector-key-0123456789";

    public RedisServer Redis { get; } = new();

    public TestConnector Connector { get; } = new();

    public SandboxProcess Sandbox { get; private set; } = null!;

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>A channel with the test connector's key, as the connector "test" calls.</summary>
    public GrpcChannel ConnectorChannel { get; private set; } = null!;

    public V1.Inbound.InboundClient Inbound => new(ConnectorChannel);

    public V1.Accounts.AccountsClient Accounts => new(ConnectorChannel);

    public V1.Outbound.OutboundClient Outbound => new(Channel);

    public V1.Integrations.IntegrationsClient Integrations => new(Channel);

    public V1.Operations.OperationsClient Operations => new(Channel);

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        await Connector.StartAsync();
        Sandbox = await SandboxProcess.StartAsync();
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            foreach (var (key, value) in Settings(Redis.ConnectionString, Sandbox.Url, Connector.Url))
            {
                web.UseSetting(key, value);
            }
        });
        Channel = GrpcChannel.ForAddress(Factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = WithInternalKey(Factory.Server.CreateHandler()) });
        ConnectorChannel = ChannelWithKey(ConnectorKey);
        await Poll.UntilAsync(async () => (await Sandbox.ChannelIdsAsync()).Count == 3, TimeSpan.FromSeconds(30), "the provisioned channels are registered at CXone");
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        ConnectorChannel?.Dispose();
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }

        if (Sandbox is not null)
        {
            await Sandbox.DisposeAsync();
        }

        await Connector.DisposeAsync();
        await Redis.DisposeAsync();
    }

    public T Service<T>() where T : notnull => Factory.Services.GetRequiredService<T>();

    /// <summary>A gRPC channel to this stack's Conversations presenting <paramref name="key"/>.</summary>
    public GrpcChannel ChannelWithKey(string key) =>
        GrpcChannel.ForAddress(Factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = WithInternalKey(Factory.Server.CreateHandler(), key) });

    /// <summary>A handler that presents an internal key (the Edge's unless told), as Byoc's own parts do.</summary>
    public static HttpMessageHandler WithInternalKey(HttpMessageHandler inner, string key = EdgeKey) =>
        new Byoc.ServiceDefaults.InternalKeyHandler(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection([new(Byoc.ServiceDefaults.InternalCallers.ConfigurationKey, key)]).Build()) { InnerHandler = inner };

    /// <summary>The configuration of a Conversations instance of this stack (also used for real processes).</summary>
    public static Dictionary<string, string> Settings(string redis, Uri sandbox, Uri connector)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:redis"] = redis,
            ["Byoc:InternalKey"] = InternalKey,
            ["Byoc:InternalCallers:edge"] = EdgeKey,
            [KeyRingCertificate.Setting] = KeyRingCertificate.Base64,
            ["Byoc:InternalCallers:connector-test"] = ConnectorKey,
            ["Byoc:InternalCallers:connector-other"] = Byoc.ServiceDefaults.InternalCallers.HashOf(OtherConnectorKey),
            ["Byoc:Connectors:test"] = connector.ToString(),
            ["Byoc:Conversations:Partitions"] = "4",
            ["Byoc:Conversations:PartitionLease"] = "00:00:03",
            ["Byoc:Conversations:RetryBaseDelay"] = "00:00:00.020",
            ["Byoc:Conversations:RetryMaxDelay"] = "00:00:02",
            ["Byoc:Conversations:MaxAttempts"] = "5",
            ["Byoc:Conversations:CxoneTimeout"] = "00:00:02",
            // CXone's retry window for content-derived keys, short so a test can step out of it.
            ["Byoc:Conversations:DerivedKeyRetention"] = "00:00:01",
            // Trim often and keep nothing acknowledged, so a test can watch the streams empty.
            ["Byoc:Conversations:StreamRetention"] = "00:00:00",
            ["Byoc:Conversations:StreamTrimInterval"] = "00:00:00.500",
        };
        var integrations = new[]
        {
            ("acme", "acme-client", AcmeSecret, new[] { ("acme-1", "a1"), ("acme-2", "a2") }),
            ("globex", "globex-client", "globex-client-secret", new[] { ("globex-1", "g1") }),
            ("initech", "initech-client", "initech-client-secret", Array.Empty<(string, string)>()),
        };
        for (var i = 0; i < integrations.Length; i++)
        {
            var (id, clientId, secret, channels) = integrations[i];
            var prefix = $"Byoc:Provisioning:Integrations:{i}:";
            settings[prefix + "Id"] = id;
            settings[prefix + "TenantId"] = "11ee0000-sand-b0x0-0000-000000000001";
            settings[prefix + "ClientId"] = clientId;
            settings[prefix + "ClientSecret"] = secret;
            settings[prefix + "Cxone:Issuer"] = sandbox.ToString();
            // The simulator serves the Digital API itself, not at api-de-{area}.{domain}.
            settings[prefix + "Cxone:DigitalApiBaseUrl"] = new Uri(sandbox, "/dfo/3.0").ToString();
            settings[prefix + "Cxone:AppClientId"] = "byoc-sandbox-app";
            settings[prefix + "Cxone:AppClientSecret"] = "sandbox-app-secret";
            settings[prefix + "Cxone:AccessKeyId"] = id == "acme" ? "sandbox-access-key" : "globex-key";
            settings[prefix + "Cxone:AccessKeySecret"] = id == "acme" ? "sandbox-access-secret==" : "globex-secret";
            for (var c = 0; c < channels.Length; c++)
            {
                settings[$"{prefix}Channels:{c}:Id"] = channels[c].Item1;
                settings[$"{prefix}Channels:{c}:Connector"] = "test";
                settings[$"{prefix}Channels:{c}:AccountId"] = channels[c].Item2;
                settings[$"{prefix}Channels:{c}:Name"] = channels[c].Item1;
                settings[$"{prefix}Channels:{c}:Settings:token"] = $"platform-token-of-{channels[c].Item2}";
            }
        }

        return settings;
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<ConversationsStack>
{
    public const string Name = "Conversations stack";
}
