using Byoc.Deployment;
using Byoc.Conversations.Extensions;
using Byoc.Conversations.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Byoc.Conversations.Tests;

public sealed class IconValidationTests
{
    [Fact]
    public void Byoc_knows_the_44_icons_of_cxone()
    {
        Assert.Equal(44, CxoneIcons.All.Count);
        Assert.Contains("forum", CxoneIcons.All);
        Assert.Contains("livechat-contact-form", CxoneIcons.All);
        Assert.False(CxoneIcons.IsValid("Forum"));
    }

    [Fact]
    public void A_provisioned_channel_with_an_unknown_icon_stops_start_up_naming_the_setting_and_the_valid_icons()
    {
        using var host = Host(icon: "carrier-pigeon");

        var e = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<ProvisioningOptions>>().Value);

        var message = Assert.Single(e.Failures);
        Assert.Contains("Byoc:Provisioning:Integrations:0:Channels:0:Icon", message, StringComparison.Ordinal);
        Assert.Contains("'acme-1'", message, StringComparison.Ordinal);
        Assert.Contains("'carrier-pigeon'", message, StringComparison.Ordinal);
        Assert.All(CxoneIcons.All, icon => Assert.Contains(icon, message, StringComparison.Ordinal));
    }

    [Fact]
    public void The_conversations_service_itself_refuses_to_start_with_an_unknown_icon()
    {
        using var factory = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:redis", "127.0.0.1:1,connectTimeout=100");
            foreach (var (key, value) in Settings("carrier-pigeon"))
            {
                web.UseSetting(key, value);
            }
        });

        var e = Assert.ThrowsAny<OptionsValidationException>(() => factory.Server);

        Assert.Contains("Byoc:Provisioning:Integrations:0:Channels:0:Icon", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("forum")]
    [InlineData("telegram")]
    public void A_provisioned_channel_with_a_cxone_icon_starts(string icon)
    {
        using var host = Host(icon);

        Assert.Equal(icon, host.Services.GetRequiredService<IOptions<ProvisioningOptions>>().Value.Integrations[0].Channels[0].Icon);
    }

    private static IHost Host(string icon)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(Settings(icon));
        // As AddConversations registers it (with ValidateOnStart, so the first read is at start-up).
        builder.Services.AddProvisioning();
        return builder.Build();
    }

    private static Dictionary<string, string?> Settings(string icon) =>
        new()
        {
            ["Byoc:Provisioning:Integrations:0:Id"] = "acme",
            ["Byoc:Provisioning:Integrations:0:TenantId"] = "t1",
            ["Byoc:Provisioning:Integrations:0:ClientId"] = "acme-client",
            ["Byoc:Provisioning:Integrations:0:ClientSecret"] = "secret",
            ["Byoc:Provisioning:Integrations:0:Cxone:Issuer"] = "https://cxone.niceincontact.com",
            ["Byoc:Provisioning:Integrations:0:Cxone:AppClientId"] = "app",
            ["Byoc:Provisioning:Integrations:0:Cxone:AppClientSecret"] = "app-secret",
            ["Byoc:Provisioning:Integrations:0:Cxone:AccessKeyId"] = "key",
            ["Byoc:Provisioning:Integrations:0:Cxone:AccessKeySecret"] = "key-secret",
            ["Byoc:Provisioning:Integrations:0:Channels:0:Id"] = "acme-1",
            ["Byoc:Provisioning:Integrations:0:Channels:0:Connector"] = "test",
            ["Byoc:Provisioning:Integrations:0:Channels:0:AccountId"] = "a1",
            ["Byoc:Provisioning:Integrations:0:Channels:0:Icon"] = icon,
        };
}
