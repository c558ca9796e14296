using Byoc.Edge.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Byoc.Edge.Tests;

/// <summary>The Edge's own credential for its calls to Conversations: required outside Development.</summary>
public sealed class InternalKeyTests(EdgeHost host) : EdgeTest(host)
{
    [Fact]
    public async Task Outside_development_the_edge_without_its_internal_key_fails_start_up_naming_the_setting()
    {
        await using var edge = Host.Create(new Dictionary<string, string?> { ["Byoc:InternalKey"] = null });

        var error = Assert.Throws<OptionsValidationException>(() => edge.CreateClient());

        Assert.Contains("Byoc:InternalKey", error.Message, StringComparison.Ordinal);
    }
}
