using Byoc.Conversations.Registry;
using Byoc.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Byoc.Conversations.Tests;

/// <summary>
/// Conversations started in Development (so with the demo of appsettings.Development.json, and the test stack's own
/// Byoc:Provisioning too) and a deployment file, against a real redis-server and the CXone simulator: the registry and
/// CXone get exactly the file's integration and points of contact, with secrets read through their references.
/// </summary>
public sealed class DeploymentStartTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"byoc-deployment-{Guid.NewGuid():N}.json");
    private readonly string _accessKeySecret = Path.Combine(Path.GetTempPath(), $"byoc-access-key-{Guid.NewGuid():N}");
    private readonly string _prefix = $"BYOC_TEST_{Guid.NewGuid():N}_";
    private SandboxProcess _sandbox = null!;
    private WebApplicationFactory<Program>? _conversations;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _sandbox = await SandboxProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_conversations is not null)
        {
            await _conversations.DisposeAsync();
        }

        await _sandbox.DisposeAsync();
        await _redis.DisposeAsync();
        File.Delete(_file);
        File.Delete(_accessKeySecret);
        foreach (var name in new[] { "CLIENT_SECRET", "APP_SECRET", "TOKEN" })
        {
            Environment.SetEnvironmentVariable(_prefix + name, null);
        }
    }

    [Fact]
    public async Task Starting_with_a_deployment_file_registers_exactly_its_integration_and_points_of_contact()
    {
        Environment.SetEnvironmentVariable(_prefix + "CLIENT_SECRET", "file-client-secret");
        Environment.SetEnvironmentVariable(_prefix + "APP_SECRET", "sandbox-app-secret");
        Environment.SetEnvironmentVariable(_prefix + "TOKEN", "jb-token-monkey-kingdom");
        await File.WriteAllTextAsync(_accessKeySecret, "sandbox-access-secret==\n");
        await File.WriteAllTextAsync(_file, $$"""
            {
              "connectors": { "junglebook": { "type": "junglebook" } },
              "integrations": {
                "file-acme": {
                  "tenantId": "11ee0000-sand-b0x0-0000-000000000001",
                  "name": "Acme (from the file)",
                  "clientId": "file-acme-client",
                  "clientSecret": "env:{{_prefix}}CLIENT_SECRET",
                  "cxone": {
                    "issuer": "{{_sandbox.Url}}",
                    "digitalApiBaseUrl": "{{new Uri(_sandbox.Url, "/dfo/3.0")}}",
                    "appClientId": "byoc-sandbox-app",
                    "appClientSecret": "env:{{_prefix}}APP_SECRET",
                    "accessKeyId": "sandbox-access-key",
                    "accessKeySecret": "file:{{_accessKeySecret}}"
                  },
                  "pointsOfContact": {
                    "file-monkey-kingdom": { "connector": "junglebook", "accountId": "monkey-kingdom", "name": "Monkey Kingdom", "icon": "forum",
                                             "settings": { "token": "env:{{_prefix}}TOKEN" } },
                    "file-man-village": { "connector": "junglebook", "accountId": "man-village", "icon": "sms" }
                  }
                }
              }
            }
            """);
        var settings = ConversationsStack.Settings(_redis.ConnectionString, _sandbox.Url, new Uri("http://127.0.0.1:9"));
        settings[ProvisionedDeployment.FileSetting] = _file;
        _conversations = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });
        _ = _conversations.Server;

        await Poll.UntilAsync(async () => (await _sandbox.ChannelIdsAsync()).Count == 2, TimeSpan.FromSeconds(30), "the file's points of contact are registered at CXone");

        Assert.Equal(["file-man-village", "file-monkey-kingdom"], (await _sandbox.ChannelIdsAsync()).Order(StringComparer.Ordinal));
        var registry = _conversations.Services.GetRequiredService<RegistryStore>();
        var integration = Assert.Single(await registry.IntegrationsAsync());
        Assert.Equal(("file-acme", "Acme (from the file)", "file-acme-client"), (integration.Id, integration.Name, integration.ClientId));
        Assert.Equal("sandbox-access-secret==", integration.Cxone.AccessKeySecret);
        Assert.Equal(["file-man-village", "file-monkey-kingdom"], (await registry.ChannelsOfIntegrationAsync("file-acme")).Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Equal("jb-token-monkey-kingdom", (await registry.GetAccountSettingsAsync("file-monkey-kingdom"))["token"]);
        Assert.Equal("man-village", (await registry.GetChannelAsync("file-man-village"))!.Name);
    }
}
