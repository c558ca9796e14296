extern alias sdk;
using System.Diagnostics;
using System.Text.Json;
using sdk::Byoc.Connectors.Sdk;
using Recipient = sdk::Byoc.Messages.V1.Recipient;

namespace Byoc.Connectors.Tests;

/// <summary>The smaller SDK pieces connector authors build on.</summary>
public sealed class ConnectorSdkTests
{
    private static readonly PlatformAccount Account = new("acct", "chan", new Dictionary<string, string> { ["token"] = "t", ["empty"] = "" });

    [Fact]
    public void An_optional_setting_falls_back_when_absent_or_empty()
    {
        Assert.Equal("t", Account.Setting("token", "fallback"));
        Assert.Equal("fallback", Account.Setting("empty", "fallback"));
        Assert.Null(Account.FindSetting("missing"));
        Assert.Throws<PlatformRejectedException>(() => Account.Setting("empty"));
    }

    [Fact]
    public void A_secret_setting_is_declared_secret_and_required()
    {
        var secret = AccountSetting.Secret("token", "API token");

        Assert.True(secret is { Key: "token", DisplayName: "API token", Secret: true, Required: true });
        Assert.True(AccountSetting.Required("url", "URL") is { Secret: false, Required: true });
        Assert.True(AccountSetting.Optional("header", "Header") is { Secret: false, Required: false });
    }

    [Fact]
    public void A_webhook_body_that_is_not_the_json_expected_is_a_format_exception()
    {
        var webhook = new Webhook("acme", Account, "{not json"u8.ToArray(), new Dictionary<string, string>());

        Assert.ThrowsAny<FormatException>(() => webhook.ReadJson(body => JsonDocument.Parse(body)));
    }

    [Fact]
    public void The_primary_recipient_is_the_one_marked_primary_else_the_first()
    {
        OutgoingMessage To(params Recipient[] recipients) => new("k", "", recipients, new sdk::Byoc.Messages.V1.MessageContent(), null);

        Assert.Equal("b", To(new Recipient { ExternalId = "a" }, new Recipient { ExternalId = "b", IsPrimary = true }).PrimaryRecipient?.ExternalId);
        Assert.Equal("a", To(new Recipient { ExternalId = "a" }, new Recipient { ExternalId = "b" }).PrimaryRecipient?.ExternalId);
        Assert.Null(To().PrimaryRecipient);
    }

    [Fact]
    public async Task Recipients_the_platform_refuses_are_invalid_each_with_its_problem()
    {
        Recipient[] recipients = [new() { ExternalId = "known" }, new() { ExternalId = "stranger" }];

        var check = await RecipientCheck.ProbeEachAsync(recipients,
            r => r.ExternalId == "known" ? Task.CompletedTask : throw new PlatformRejectedException("404"),
            "Not on the platform.", r => $"{r.ExternalId} is unknown");

        Assert.False(check.IsValid);
        Assert.Equal("Not on the platform.", check.DisplayErrorMessage);
        Assert.Equal("stranger is unknown", Assert.Single(check.Errors!).Message);
    }

    [Fact]
    public async Task A_platform_that_cannot_answer_a_recipient_probe_stays_unavailable()
    {
        await Assert.ThrowsAsync<PlatformUnavailableException>(() => RecipientCheck.ProbeEachAsync([new Recipient { ExternalId = "x" }],
            _ => throw new PlatformUnavailableException("down"), "Not on the platform.", r => r.ExternalId));
    }

    [Fact]
    public void A_file_link_signature_holds_for_its_account_file_and_expiry_only()
    {
        var signature = FileLinks.Signature("secret", "acct", "file-1", 1_800_000_000);

        Assert.Matches("^[0-9a-f]{64}$", signature);
        Assert.NotEqual(signature, FileLinks.Signature("secret", "acct", "file-2", 1_800_000_000));
        Assert.NotEqual(signature, FileLinks.Signature("secret", "other", "file-1", 1_800_000_000));
        Assert.NotEqual(signature, FileLinks.Signature("other-secret", "acct", "file-1", 1_800_000_000));
        Assert.NotEqual(signature, FileLinks.Signature("secret", "acct", "file-1", 1_800_000_001));
    }

    [Fact]
    public async Task Sends_into_one_thread_wait_their_turn_while_other_threads_go_at_once()
    {
        using var limits = new SendRateLimits(perThreadPerSecond: 1, perAccountPerSecond: 30);
        await limits.WaitTurnAsync("bot", "chat-1", CancellationToken.None);

        var clock = Stopwatch.StartNew();
        await limits.WaitTurnAsync("bot", "chat-2", CancellationToken.None);
        var otherThread = clock.Elapsed;
        await limits.WaitTurnAsync("bot", "chat-1", CancellationToken.None);

        Assert.True(otherThread < TimeSpan.FromMilliseconds(500), $"another thread waited {otherThread}");
        Assert.True(clock.Elapsed > TimeSpan.FromMilliseconds(500), $"the same thread waited only {clock.Elapsed}");
    }

    [Fact]
    public async Task A_send_beyond_the_queue_limit_is_unavailable_for_now()
    {
        using var limits = new SendRateLimits(perThreadPerSecond: 1, perAccountPerSecond: 30, queueLimit: 1);
        await limits.WaitTurnAsync("bot", "chat", CancellationToken.None);
        var queued = limits.WaitTurnAsync("bot", "chat", CancellationToken.None);

        var refused = await Assert.ThrowsAsync<PlatformUnavailableException>(() => limits.WaitTurnAsync("bot", "chat", CancellationToken.None));

        Assert.NotNull(refused.RetryAfter);
        await queued;
    }
}
