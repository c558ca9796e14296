using System.Text.Json.Nodes;
using Byoc.Conversations.Extensions;
using Byoc.Conversations.Registry;
using Byoc.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Byoc.Conversations.Tests;

/// <summary>
/// Conversations given a deployment file (Byoc:DeploymentFile, Byoc:Deployment): it replaces the Development demo
/// (Byoc:Provisioning of appsettings.Development.json) instead of merging with it, and an invalid one stops the
/// service at start with every problem.
/// </summary>
public sealed class DeploymentFileTests : IDisposable
{
    private static readonly string Demo = Path.Combine(ServiceBuild.RepoRoot, "Byoc.Conversations", "appsettings.Development.json");
    private readonly List<string> _files = [];

    public void Dispose()
    {
        foreach (var file in _files)
        {
            File.Delete(file);
        }
    }

    /// <summary>The demo's own integration id, given as a plain list, with one point of contact and no settings.</summary>
    private const string SameIdAsTheDemo = """
        {
          "connectors": [ { "id": "junglebook" } ],
          "integrations": [
            {
              "id": "bare-necessities", "tenantId": "t-file", "name": "From the file", "clientId": "file-client", "clientSecret": "file-secret",
              "cxone": { "issuer": "http://sandbox", "digitalApiBaseUrl": "http://sandbox/dfo/3.0", "appClientId": "app",
                         "appClientSecret": "app-secret", "accessKeyId": "key", "accessKeySecret": "key-secret" },
              "pointsOfContact": [ { "id": "jb-village", "connector": "junglebook", "accountId": "man-village", "icon": "sms" } ]
            }
          ]
        }
        """;

    [Fact]
    public void A_deployment_file_replaces_the_development_demo_and_does_not_inherit_its_channels()
    {
        using var host = Host(new() { [ProvisionedDeployment.FileSetting] = Write(SameIdAsTheDemo) });

        var integration = Assert.Single(host.Services.GetRequiredService<IOptions<ProvisioningOptions>>().Value.Integrations);

        Assert.Equal(("bare-necessities", "t-file", "From the file", "file-client"), (integration.Id, integration.TenantId, integration.Name, integration.ClientId));
        var channel = Assert.Single(integration.Channels);
        Assert.Equal(("jb-village", "junglebook", "man-village", "sms"), (channel.Id, channel.Connector, channel.AccountId, channel.Icon));
        Assert.Empty(channel.Settings);
    }

    [Fact]
    public void Without_a_deployment_file_the_development_demo_is_provisioned()
    {
        using var host = Host([]);

        var integration = Assert.Single(host.Services.GetRequiredService<IOptions<ProvisioningOptions>>().Value.Integrations);

        Assert.Equal("bare-necessities", integration.Id);
        Assert.Equal(["junglebook-man-village", "junglebook-monkey-kingdom"], integration.Channels.Select(c => c.Id).Order());
    }

    [Fact]
    public void The_deployment_given_as_json_replaces_the_demo_too()
    {
        using var host = Host(new() { [ProvisionedDeployment.JsonSetting] = SameIdAsTheDemo });

        var integration = Assert.Single(host.Services.GetRequiredService<IOptions<ProvisioningOptions>>().Value.Integrations);

        Assert.Equal("jb-village", Assert.Single(integration.Channels).Id);
    }

    [Fact]
    public void Deployment_keys_in_configuration_override_the_file_by_id()
    {
        using var host = Host(new()
        {
            [ProvisionedDeployment.FileSetting] = Write(SameIdAsTheDemo),
            [$"{ProvisionedDeployment.JsonSetting}:integrations:bare-necessities:name"] = "Renamed",
            [$"{ProvisionedDeployment.JsonSetting}:integrations:bare-necessities:pointsOfContact:jb-village:icon"] = "forum",
        });

        var integration = Assert.Single(host.Services.GetRequiredService<IOptions<ProvisioningOptions>>().Value.Integrations);

        Assert.Equal(("Renamed", "t-file"), (integration.Name, integration.TenantId));
        Assert.Equal(("man-village", "forum"), (integration.Channels[0].AccountId, integration.Channels[0].Icon));
    }

    [Fact]
    public void An_invalid_deployment_stops_start_up_with_every_problem_in_the_message()
    {
        var deployment = JsonNode.Parse(SameIdAsTheDemo)!;
        deployment["integrations"]![0]!["pointsOfContact"]![0]!["icon"] = "carrier-pigeon";
        deployment["integrations"]![0]!["clientSecret"] = "env:BYOC_TEST_SURELY_UNSET";
        deployment["integrations"]![0]!["pointsOfContact"]![0]!.AsObject().Remove("accountId");
        using var host = Host(new() { [ProvisionedDeployment.FileSetting] = Write(deployment.ToJsonString()) });

        var e = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<ProvisioningOptions>>().Value);

        var message = Assert.Single(e.Failures);
        Assert.Contains("Byoc does not start half-configured", message, StringComparison.Ordinal);
        Assert.Contains("integrations:bare-necessities:clientSecret: expected a secret reference that resolves: the environment variable BYOC_TEST_SURELY_UNSET to be set", message, StringComparison.Ordinal);
        Assert.Contains("integrations:bare-necessities:pointsOfContact:jb-village:accountId: expected the account on the platform", message, StringComparison.Ordinal);
        Assert.Contains("integrations:bare-necessities:pointsOfContact:jb-village:icon: expected one of CXone's externalPlatformIcon values", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deployment_file_that_does_not_exist_stops_start_up_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"byoc-{Guid.NewGuid():N}.json");
        using var host = Host(new() { [ProvisionedDeployment.FileSetting] = path });

        var e = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<ProvisioningOptions>>().Value);

        Assert.Contains($"{path}: expected a readable deployment file; found no such file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_conversations_service_itself_refuses_to_start_with_an_invalid_deployment()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            web.UseSetting("ConnectionStrings:redis", "127.0.0.1:1,connectTimeout=100");
            web.UseSetting(KeyRingCertificate.Setting, KeyRingCertificate.Base64);
            web.UseSetting("Byoc:InternalKey", ConversationsStack.InternalKey);
            web.UseSetting("Byoc:InternalCallers:edge", ConversationsStack.EdgeKey);
            web.UseSetting(ProvisionedDeployment.JsonSetting, """{ "connectors": { "pigeon": {} }, "integrations": {} }""");
        });

        var e = Assert.ThrowsAny<OptionsValidationException>(() => factory.Server);

        Assert.Contains("connectors:pigeon:type: expected a connector type: one of junglebook, webhook, telegram", e.Message, StringComparison.Ordinal);
        Assert.Contains("integrations: expected at least one integration", e.Message, StringComparison.Ordinal);
    }

    private string Write(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"byoc-deployment-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        _files.Add(path);
        return path;
    }

    /// <summary>A Development host with the demo of appsettings.Development.json, and provisioning as AddConversations registers it.</summary>
    private static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddJsonFile(Demo, optional: false).AddInMemoryCollection(settings);
        builder.Services.AddProvisioning();
        return builder.Build();
    }
}
