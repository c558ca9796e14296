using Byoc.Edge.Tests.Infrastructure;
using Byoc.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Byoc.Edge.Tests;

/// <summary>The Edge's Data Protection key ring (it protects the token signing keys) as Redis holds it.</summary>
public sealed class KeyRingTests(EdgeHost host) : EdgeTest(host)
{
    [Fact]
    public async Task The_edge_key_ring_in_redis_is_encrypted_with_the_configured_certificate()
    {
        // Any protection makes sure a key exists.
        Host.Edge.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("probe");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Host.Redis.ConnectionString);

        var keys = (await redis.GetDatabase().ListRangeAsync("byoc:v1:edge:data-protection-keys")).Select(k => k.ToString()).ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.DoesNotContain("<masterKey", key, StringComparison.Ordinal);
            Assert.Contains("<encryptedSecret", key, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Outside_development_the_edge_without_a_key_ring_certificate_fails_start_up_naming_the_setting()
    {
        await using var edge = Host.Create(new Dictionary<string, string?> { [KeyRingCertificate.Setting] = null });

        var error = Assert.ThrowsAny<InvalidOperationException>(() => edge.CreateClient());

        Assert.Contains("Byoc:DataProtection:Certificate:Path", error.Message, StringComparison.Ordinal);
    }
}
