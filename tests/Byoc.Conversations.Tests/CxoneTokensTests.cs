using Byoc.Conversations.Cxone;
using Byoc.Conversations.Registry;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Byoc.Conversations.Tests;

[Collection(StackCollection.Name)]
public sealed class CxoneTokensTests(ConversationsStack stack)
{
    [Fact]
    public async Task A_token_cxone_refused_is_not_used_again_even_when_a_late_redis_read_hands_it_back()
    {
        var tokens = stack.Factory.Services.GetRequiredService<CxoneTokens>();
        var integration = (await stack.Factory.Services.GetRequiredService<RegistryStore>().GetIntegrationAsync("acme"))!;
        var refused = await tokens.GetAsync(integration, CancellationToken.None);

        await tokens.InvalidateAsync(integration, refused);
        // What a read of Redis under way when CXone answered 401 would bring back: the refused token (protected, as it is cached).
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);
        var protector = stack.Factory.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(CxoneTokens.ProtectorPurpose);
        await redis.GetDatabase().StringSetAsync("byoc:v1:{i:acme}:cxone-token", protector.Protect(refused), TimeSpan.FromMinutes(5));
        var next = await tokens.GetAsync(integration, CancellationToken.None);

        Assert.NotEqual(refused, next);
        Assert.Equal(next, await tokens.GetAsync(integration, CancellationToken.None));
    }
}
