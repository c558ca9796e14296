using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Byoc.Conversations.Identity;
using Byoc.Conversations.V1;
using Byoc.Messages.V1;
using Byoc.Testing;

namespace Byoc.EndToEnd.Tests;

/// <summary>Junglebook, the seed's example network, both ways through every real process (webhooks through the Edge).</summary>
[Collection(ByocAppCollection.Name)]
public sealed class JunglebookFlowTests(ByocApp app)
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(30);

    private Byoc.Conversations.V1.Outbound.OutboundClient Outbound => new(app.Conversations);

    [Fact]
    public async Task A_customers_private_message_to_a_profile_reaches_its_CXone_point_of_contact()
    {
        var user = $"mowgli-{Guid.NewGuid():N}";

        var (messageId, threadId, webhookStatus) = await app.CustomerWritesAsync("monkey-kingdom", user, "Do you sell bananas?");

        Assert.Equal(200, webhookStatus);
        var cxoneThread = ExternalIds.Derive("junglebook", "monkey-kingdom", IdKind.Thread, threadId);
        await Poll.UntilAsync(async () => (await app.Sandbox.MessagesInThreadAsync(ByocApp.MonkeyKingdom, cxoneThread)).Count == 1, Arrival, "the message is at CXone");
        var stored = (await app.Sandbox.MessagesInThreadAsync(ByocApp.MonkeyKingdom, cxoneThread)).Single();
        Assert.Equal(ExternalIds.Derive("junglebook", "monkey-kingdom", IdKind.Message, messageId), stored.GetProperty("idOnExternalPlatform").GetString());
        Assert.Equal("Do you sell bananas?", stored.GetProperty("messageContent").GetProperty("payload").GetProperty("text").GetString());
        var author = stored.GetProperty("authorEndUserIdentity");
        Assert.Equal(ExternalIds.Derive("junglebook", "monkey-kingdom", IdKind.EndUser, user), author.GetProperty("idOnExternalPlatform").GetString());
        Assert.Equal("Mowgli", author.GetProperty("firstName").GetString());
        Assert.Equal("Jungle", author.GetProperty("lastName").GetString());
        Assert.Equal($"@{user}", author.GetProperty("nickname").GetString());
    }

    [Fact]
    public async Task The_two_profiles_are_two_points_of_contact_and_their_ids_never_collide()
    {
        var user = $"baloo-{Guid.NewGuid():N}";

        var monkey = await app.CustomerWritesAsync("monkey-kingdom", user, "to the monkeys", isPublic: true);
        var village = await app.CustomerWritesAsync("man-village", user, "to the village", isPublic: true);

        var monkeyThread = ExternalIds.Derive("junglebook", "monkey-kingdom", IdKind.Thread, monkey.ThreadId);
        var villageThread = ExternalIds.Derive("junglebook", "man-village", IdKind.Thread, village.ThreadId);
        await Poll.UntilAsync(async () => (await app.Sandbox.MessagesInThreadAsync(ByocApp.MonkeyKingdom, monkeyThread)).Count == 1, Arrival, "at Monkey Kingdom");
        await Poll.UntilAsync(async () => (await app.Sandbox.MessagesInThreadAsync(ByocApp.ManVillage, villageThread)).Count == 1, Arrival, "at Man Village");
        Assert.NotEqual(
            (await app.Sandbox.MessagesInThreadAsync(ByocApp.MonkeyKingdom, monkeyThread)).Single().GetProperty("authorEndUserIdentity").GetProperty("idOnExternalPlatform").GetString(),
            (await app.Sandbox.MessagesInThreadAsync(ByocApp.ManVillage, villageThread)).Single().GetProperty("authorEndUserIdentity").GetProperty("idOnExternalPlatform").GetString());
        Assert.Equal("About bananas", (await app.Sandbox.MessagesInThreadAsync(ByocApp.MonkeyKingdom, monkeyThread)).Single().GetProperty("thread").GetProperty("threadName").GetString());
    }

    [Fact]
    public async Task An_agent_reply_appears_in_the_customers_thread_and_delivered_and_read_become_CXone_statuses()
    {
        var user = $"kaa-{Guid.NewGuid():N}";
        var (_, threadId, _) = await app.CustomerWritesAsync("man-village", user, "Hello?");
        var cxoneThread = ExternalIds.Derive("junglebook", "man-village", IdKind.Thread, threadId);
        await Poll.UntilAsync(async () => (await app.Sandbox.MessagesInThreadAsync(ByocApp.ManVillage, cxoneThread)).Count == 1, Arrival, "inbound arrived");

        var reply = await Outbound.DeliverAsync(new DeliverRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            IntegrationId = "bare-necessities",
            ChannelId = ByocApp.ManVillage,
            ThreadId = cxoneThread,
            Content = new MessageContent { Text = "Hello from the village!" },
            Recipients = { new Recipient { ExternalId = ExternalIds.Derive("junglebook", "man-village", IdKind.EndUser, user), IsPrimary = true } },
        });

        var thread = await app.JunglebookThreadAsync(threadId);
        var agentPost = thread.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("fromProfile").GetBoolean());
        Assert.Equal("Hello from the village!", agentPost.GetProperty("text").GetString());
        Assert.Equal(ExternalIds.Derive("junglebook", "man-village", IdKind.Message, agentPost.GetProperty("id").GetString()!), reply.MessageId);

        await Poll.UntilAsync(async () => await StatusesOf(reply.MessageId) is ["delivered"], Arrival, "delivered at CXone");
        (await app.Sandbox.Http.PostAsJsonAsync("/junglebook/customer/read", new { messageId = agentPost.GetProperty("id").GetString() })).EnsureSuccessStatusCode();
        await Poll.UntilAsync(async () => await StatusesOf(reply.MessageId) is ["delivered", "seen"], Arrival, "seen at CXone");
    }

    [Fact]
    public async Task Quick_replies_reach_Junglebook_as_numbered_text_and_an_agent_initiated_message_opens_a_thread()
    {
        var user = $"bagheera-{Guid.NewGuid():N}";
        await app.CustomerWritesAsync("monkey-kingdom", user, "hi");
        var cxoneUser = ExternalIds.Derive("junglebook", "monkey-kingdom", IdKind.EndUser, user);

        var reply = await Outbound.DeliverAsync(new DeliverRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            IntegrationId = "bare-necessities",
            ChannelId = ByocApp.MonkeyKingdom,
            Recipients = { new Recipient { ExternalId = cxoneUser, IsPrimary = true } },
            Content = new MessageContent { Text = "Pick one:", QuickReplies = { new QuickReply { Text = "Bananas" }, new QuickReply { Text = "Mangoes" } } },
        });

        var threads = await app.Sandbox.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/junglebook/customer/profiles/monkey-kingdom/threads");
        var chat = threads.EnumerateArray().Single(t => t.GetProperty("customerId").GetString() == user && !t.GetProperty("public").GetBoolean());
        Assert.Equal(ExternalIds.Derive("junglebook", "monkey-kingdom", IdKind.Thread, chat.GetProperty("id").GetString()!), reply.ThreadId);
        var text = (await app.JunglebookThreadAsync(chat.GetProperty("id").GetString()!)).GetProperty("messages").EnumerateArray().Last().GetProperty("text").GetString();
        Assert.Equal("Pick one:\n1. Bananas\n2. Mangoes", text);
        var hops = (await new Byoc.Conversations.V1.Operations.OperationsClient(app.Conversations).GetTimelineAsync(new GetTimelineRequest { ChannelId = ByocApp.MonkeyKingdom, MessageId = reply.MessageId })).Hops;
        Assert.Contains(hops, h => h.Hop == "sent_to_platform" && h.Detail.Contains("2 quick replies sent as numbered text", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Recipient_validation_accepts_Junglebook_users_and_refuses_strangers_with_a_message_for_the_agent()
    {
        var user = $"hathi-{Guid.NewGuid():N}";
        await app.CustomerWritesAsync("monkey-kingdom", user, "hi");

        var known = await Outbound.ValidateRecipientsAsync(new Byoc.Conversations.V1.ValidateRecipientsRequest { IntegrationId = "bare-necessities", ChannelId = ByocApp.MonkeyKingdom, Recipients = { new Recipient { ExternalId = user } } });
        var stranger = await Outbound.ValidateRecipientsAsync(new Byoc.Conversations.V1.ValidateRecipientsRequest { IntegrationId = "bare-necessities", ChannelId = ByocApp.MonkeyKingdom, Recipients = { new Recipient { ExternalId = "shere-khan" } } });

        Assert.True(known.Valid);
        Assert.False(stranger.Valid);
        Assert.Equal("This person is not on Junglebook.", stranger.DisplayErrorMessage);
        Assert.Equal("shere-khan is not a Junglebook user", stranger.Errors.Single().Message);
    }

    [Fact]
    public async Task Typing_goes_both_ways()
    {
        var user = $"louie-{Guid.NewGuid():N}";
        var (_, threadId, _) = await app.CustomerWritesAsync("man-village", user, "typing test");
        var cxoneThread = ExternalIds.Derive("junglebook", "man-village", IdKind.Thread, threadId);

        (await app.Sandbox.Http.PostAsJsonAsync("/junglebook/customer/typing", new { threadId, on = true })).EnsureSuccessStatusCode();
        await new Byoc.Conversations.V1.Outbound.OutboundClient(app.Conversations).SendSenderActionAsync(new Byoc.Conversations.V1.SendSenderActionRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), IntegrationId = "bare-necessities", ChannelId = ByocApp.ManVillage, ThreadId = cxoneThread, Action = SenderAction.TypingOn,
        });

        Assert.Contains(await app.Sandbox.SenderActionsAsync(ByocApp.ManVillage), a => a.GetProperty("threadIdOnExternalPlatform").GetString() == cxoneThread && a.GetProperty("action").GetString() == "isTypingOn");
        Assert.True((await app.JunglebookThreadAsync(threadId)).GetProperty("profileTyping").GetBoolean());
    }

    [Fact]
    public async Task A_reply_Junglebook_refuses_is_marked_failed_at_CXone()
    {
        var reply = await Outbound.DeliverAsync(new DeliverRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            IntegrationId = "bare-necessities",
            ChannelId = ByocApp.MonkeyKingdom,
            ThreadId = "no-such-thread-on-junglebook",
            Content = new MessageContent { Text = "into the void" },
        });

        await Poll.UntilAsync(async () => await StatusesOf(reply.MessageId) is ["failed"], Arrival, "failed at CXone");
    }

    [Theory]
    [InlineData("wrong secret")]
    [InlineData("stale timestamp")]
    [InlineData("body changed by one byte")]
    [InlineData("no signature")]
    public async Task A_webhook_that_is_not_genuine_is_refused_with_401_and_never_reaches_CXone(string forgery)
    {
        var thread = $"forged-{Guid.NewGuid():N}";
        var body = $$$"""{"type":"message","profile":"monkey-kingdom","message":{"id":"{{{thread}}}-1","threadId":"{{{thread}}}","public":false,"author":{"id":"shere-khan","name":"Shere Khan"},"text":"give me your bananas","attachments":[],"createdAt":"2025-07-25T20:05:57.123+00:00"}}""";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - (forgery == "stale timestamp" ? 3600 : 0);
        var secret = forgery == "wrong secret" ? "not-the-secret" : "jb-webhook-secret-monkey-kingdom";
        var signature = Sign(secret, timestamp, body);
        var sent = forgery == "body changed by one byte" ? body.Replace("bananas", "bananaz", StringComparison.Ordinal) : body;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(app.EdgeUrl, "/hooks/junglebook/monkey-kingdom"))
        {
            Content = new StringContent(sent, Encoding.UTF8, "application/json"),
        };
        if (forgery != "no signature")
        {
            request.Headers.Add("X-Junglebook-Timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("X-Junglebook-Signature", $"sha256={signature}");
        }

        using var http = new HttpClient();
        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await app.Sandbox.MessagesInThreadAsync(ByocApp.MonkeyKingdom, ExternalIds.Derive("junglebook", "monkey-kingdom", IdKind.Thread, thread)));
    }

    [Fact]
    public async Task A_genuine_webhook_signed_as_Junglebook_does_is_accepted()
    {
        var thread = $"genuine-{Guid.NewGuid():N}";
        var body = $$$"""{"type":"message","profile":"monkey-kingdom","message":{"id":"{{{thread}}}-1","threadId":"{{{thread}}}","public":false,"author":{"id":"raksha","name":"Raksha"},"text":"hello","createdAt":"2025-07-25T20:05:57.123+00:00"}}""";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(app.EdgeUrl, "/hooks/junglebook/monkey-kingdom")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Junglebook-Timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("X-Junglebook-Signature", $"sha256={Sign("jb-webhook-secret-monkey-kingdom", timestamp, body)}");

        using var http = new HttpClient();
        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Poll.UntilAsync(async () => (await app.Sandbox.MessagesInThreadAsync(ByocApp.MonkeyKingdom, ExternalIds.Derive("junglebook", "monkey-kingdom", IdKind.Thread, thread))).Count == 1, Arrival, "stored");
    }

    private async Task<string[]> StatusesOf(string messageId) =>
        [.. (await app.Sandbox.StatusesAsync(ByocApp.MonkeyKingdom)).Concat(await app.Sandbox.StatusesAsync(ByocApp.ManVillage))
            .Where(s => s.GetProperty("messageIdOnExternalPlatform").GetString() == messageId)
            .Select(s => s.GetProperty("status").GetString()!)];

    // Written here from the scheme's definition, independently of the SDK's helper, so a shared mistake cannot pass.
    private static string Sign(string secret, long timestamp, string body) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"))).ToLowerInvariant();
}
