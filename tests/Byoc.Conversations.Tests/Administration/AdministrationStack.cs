using Byoc.Administration.V1;
using Byoc.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Byoc.Conversations.Tests.Administration;

/// <summary>
/// Conversations on a Redis, a CXone simulator and a test connector of its own (the admin tests create, delete and
/// rotate; nothing they do may touch the shared stack). Tenant A holds "acme" (channels acme-1, acme-2) and
/// "initech"; tenant B holds "globex" (globex-1).
/// </summary>
public sealed class AdministrationStack : IAsyncLifetime
{
    public const string TenantA = "11ee0000-sand-b0x0-0000-000000000001";
    public const string TenantB = "22ee0000-sand-b0x0-0000-000000000002";

    public RedisServer Redis { get; } = new();

    public TestConnector Connector { get; } = new();

    public SandboxProcess Sandbox { get; private set; } = null!;

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public Byoc.Administration.V1.Administration.AdministrationClient Admin => new(Channel);

    public V1.Integrations.IntegrationsClient Integrations => new(Channel);

    public static TenantScope ScopeA => new() { TenantIds = { TenantA } };

    public static TenantScope ScopeB => new() { TenantIds = { TenantB } };

    public static TenantScope AllTenants => new() { AllTenants = true };

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        await Connector.StartAsync();
        Sandbox = await SandboxProcess.StartAsync();
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            foreach (var (key, value) in ConversationsStack.Settings(Redis.ConnectionString, Sandbox.Url, Connector.Url))
            {
                web.UseSetting(key, value);
            }

            web.UseSetting("Byoc:Provisioning:Integrations:1:TenantId", TenantB);
        });
        Channel = GrpcChannel.ForAddress(Factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = ConversationsStack.WithInternalKey(Factory.Server.CreateHandler()) });
        await Poll.UntilAsync(async () => (await Sandbox.ChannelIdsAsync()).Count == 3, TimeSpan.FromSeconds(30), "the provisioned channels are registered at CXone");
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
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

    /// <summary>The trailer the Administration service names a refused field in.</summary>
    public static string? FieldOf(RpcException e) => e.Trailers.GetValue("field");
}
