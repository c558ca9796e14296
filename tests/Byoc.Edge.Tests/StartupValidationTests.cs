using Byoc.Edge.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Byoc.Edge.Tests;

public sealed class StartupValidationTests(EdgeHost host) : EdgeTest(host)
{
    [Theory]
    [InlineData("Edge:Token:AuthorizationPaths:0", "oauth/token", "AuthorizationPaths")]
    [InlineData("Edge:Admin:ApiKey", "short", "ApiKey")]
    [InlineData("Edge:MaxRequestBodyBytes", "10", "MaxRequestBodyBytes")]
    [InlineData("Edge:ConversationsDeadline", "00:10:00", "ConversationsDeadline")]
    public async Task A_bad_setting_stops_the_edge_at_start_up_naming_the_key(string key, string value, string named)
    {
        await using var edge = Host.Create(new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => edge.CreateClient());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
