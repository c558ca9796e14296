extern alias edge;
using System.Security.Claims;
using Microsoft.Extensions.Time.Testing;
using ValidatedBearerTokens = edge::Byoc.Edge.Identity.ValidatedBearerTokens;

namespace Byoc.Edge.Tests;

public sealed class ValidatedBearerTokensTests
{
    private static readonly ClaimsPrincipal Caller = new(new ClaimsIdentity([new Claim("byoc_integration_id", "integration-a")], "test"));

    [Fact]
    public void A_validated_token_is_accepted_without_validation_for_a_minute_and_then_validated_again()
    {
        var time = new FakeTimeProvider();
        var tokens = new ValidatedBearerTokens(time);
        tokens.Add("token-a", Caller, expires: time.GetUtcNow().AddHours(1));

        time.Advance(ValidatedBearerTokens.KeepFor - TimeSpan.FromSeconds(1));
        Assert.True(tokens.TryGet("token-a", out var principal));
        Assert.Equal("integration-a", principal.FindFirst("byoc_integration_id")?.Value);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(tokens.TryGet("token-a", out _));
    }

    [Fact]
    public void A_token_is_never_accepted_from_the_cache_past_its_own_expiry()
    {
        var time = new FakeTimeProvider();
        var tokens = new ValidatedBearerTokens(time);
        tokens.Add("token-a", Caller, expires: time.GetUtcNow().AddSeconds(5));

        time.Advance(TimeSpan.FromSeconds(6));

        Assert.False(tokens.TryGet("token-a", out _));
    }

    [Fact]
    public void Only_the_exact_token_string_that_was_validated_is_accepted()
    {
        var tokens = new ValidatedBearerTokens(new FakeTimeProvider());
        tokens.Add("header.payload.signature", Caller, expires: null);

        Assert.False(tokens.TryGet("header.payload.signaturf", out _));
        Assert.False(tokens.TryGet("header.payload.signature ", out _));
        Assert.True(tokens.TryGet("header.payload.signature", out _));
    }

    [Fact]
    public void The_cached_caller_is_a_copy_that_a_request_cannot_change_for_the_next_one()
    {
        var tokens = new ValidatedBearerTokens(new FakeTimeProvider());
        tokens.Add("token-a", Caller, expires: null);

        Assert.True(tokens.TryGet("token-a", out var first));
        ((ClaimsIdentity)first.Identity!).AddClaim(new Claim("injected", "yes"));

        Assert.True(tokens.TryGet("token-a", out var second));
        Assert.Null(second.FindFirst("injected"));
    }
}
