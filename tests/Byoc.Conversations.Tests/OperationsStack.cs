using Byoc.Conversations.V1;
using Byoc.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Byoc.Conversations.Tests;

/// <summary>
/// Conversations on a Redis and a CXone simulator of its own, with two tenants: "acme" (channels acme-1, acme-2) is
/// tenant <see cref="TenantA"/>, "globex" (globex-1) tenant <see cref="TenantB"/>. A configured connector "down"
/// never answers. Dead letters written here cannot disturb the shared stack's tests, nor theirs these.
/// </summary>
public sealed class OperationsStack : IAsyncLifetime
{
    public const string TenantA = "11ee0000-aaaa-0000-0000-00000000000a";
    public const string TenantB = "11ee0000-bbbb-0000-0000-00000000000b";

    public RedisServer Redis { get; } = new();

    public TestConnector Connector { get; } = new();

    public SandboxProcess Sandbox { get; private set; } = null!;

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public GrpcChannel ConnectorChannel { get; private set; } = null!;

    public V1.Operations.OperationsClient Operations => new(Channel);

    public V1.Inbound.InboundClient Inbound => new(ConnectorChannel);

    public static TenantScope Of(params string[] tenants) => new() { TenantIds = { tenants } };

    public static TenantScope All => new() { AllTenants = true };

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        await Connector.StartAsync();
        Sandbox = await SandboxProcess.StartAsync();
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            var settings = ConversationsStack.Settings(Redis.ConnectionString, Sandbox.Url, Connector.Url);
            settings["Byoc:Provisioning:Integrations:0:TenantId"] = TenantA;
            settings["Byoc:Provisioning:Integrations:1:TenantId"] = TenantB;
            settings["Byoc:Provisioning:Integrations:2:TenantId"] = TenantB;
            settings["Byoc:Connectors:down"] = "http://127.0.0.1:1";
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });
        Channel = GrpcChannel.ForAddress(Factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = ConversationsStack.WithInternalKey(Factory.Server.CreateHandler()) });
        ConnectorChannel = GrpcChannel.ForAddress(Factory.Server.BaseAddress,
            new GrpcChannelOptions { HttpHandler = ConversationsStack.WithInternalKey(Factory.Server.CreateHandler(), ConversationsStack.ConnectorKey) });
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
}
