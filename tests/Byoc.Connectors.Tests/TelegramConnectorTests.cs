extern alias sdk;
using System.Net;
using System.Text;
using Byoc.Connectors.V1;
using Byoc.Messages.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Byoc.Connectors.Tests;

public sealed class TelegramConnectorTests(TelegramFixture fixture) : IClassFixture<TelegramFixture>
{
    private const string From = """{"id":777,"is_bot":false,"first_name":"Jane","last_name":"Doe","username":"jane"}""";
    private static int s_next = 1000;

    [Fact]
    public async Task A_text_in_a_private_chat_is_ingested_with_the_chat_as_thread_and_the_user_as_author()
    {
        var id = Next();
        using var response = await PostUpdateAsync(Update(id, """ "text":"Hi, where is my order?" """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = Ingested($"777:{id}");
        Assert.Equal("777", message.ExternalThreadId);
        Assert.Equal("777", message.Author.ExternalId);
        Assert.Equal(("Jane", "Doe", "jane"), (message.Author.FirstName, message.Author.LastName, message.Author.Nickname));
        Assert.Equal("Hi, where is my order?", message.Content.Text);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1753473957), message.CreatedAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task A_photo_is_ingested_as_a_signed_connector_link_that_streams_the_largest_size_without_the_bot_token()
    {
        var id = Next();
        using var _ = await PostUpdateAsync(Update(id, """
            "caption":"This arrived broken",
            "photo":[{"file_id":"photo-small","file_unique_id":"s","width":90,"height":90,"file_size":3},{"file_id":"photo-big","file_unique_id":"b","width":900,"height":900,"file_size":7}]
            """));

        var message = Ingested($"777:{id}");
        Assert.Equal("This arrived broken", message.Content.Text);
        var photo = Assert.Single(message.Content.Attachments);
        Assert.Equal("image/jpeg", photo.MimeType);
        Assert.Equal(7, photo.SizeBytes);
        Assert.StartsWith($"{TelegramFixture.PublicBaseUrl}/hooks/telegram/bot/files/photo-big?exp=", photo.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeBotApi.Token, photo.Url, StringComparison.Ordinal);

        using var file = await fixture.Connector.CreateClient().GetAsync(new Uri(photo.Url).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("image/jpeg", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal(FakeBotApi.PhotoBytes, await file.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_file_link_with_a_forged_signature_is_forbidden()
    {
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        using var file = await fixture.Connector.CreateClient().GetAsync($"/hooks/telegram/bot/files/photo-big?exp={expires}&sig={new string('0', 64)}");

        Assert.Equal(HttpStatusCode.Forbidden, file.StatusCode);
    }

    [Fact]
    public async Task A_file_link_whose_expiry_was_pushed_back_is_forbidden_and_an_expired_genuine_one_is_gone()
    {
        var id = Next();
        using var _ = await PostUpdateAsync(Update(id, """ "photo":[{"file_id":"photo-big","file_unique_id":"b","width":900,"height":900,"file_size":7}] """));
        var link = new Uri(Assert.Single(Ingested($"777:{id}").Content.Attachments).Url);
        var query = System.Web.HttpUtility.ParseQueryString(link.Query);
        var expires = long.Parse(query["exp"]!, System.Globalization.CultureInfo.InvariantCulture);
        var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();
        var client = fixture.Connector.CreateClient();

        using var genuine = await client.GetAsync(link.PathAndQuery);
        using var tampered = await client.GetAsync($"{link.AbsolutePath}?exp={expires + 86400}&sig={query["sig"]}");
        var pastSignature = sdk::Byoc.Connectors.Sdk.FileLinks.Signature(TelegramFixture.SecretToken, "bot", "photo-big", past);
        using var expired = await client.GetAsync($"{link.AbsolutePath}?exp={past}&sig={pastSignature}");
        using var unsigned = await client.GetAsync(link.AbsolutePath);

        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.InRange(DateTimeOffset.FromUnixTimeSeconds(expires), DateTimeOffset.UtcNow.AddDays(6), DateTimeOffset.UtcNow.AddDays(8));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
    }

    [Theory]
    [InlineData(""" "photo":[{"file_unique_id":"b","width":900,"height":900}] """, "message.photo[].file_id")]
    [InlineData(""" "document":{"file_unique_id":"d","file_name":"invoice.pdf"} """, "message.document.file_id")]
    public async Task A_genuine_update_missing_a_required_field_is_a_bad_request_naming_the_field(string fields, string field)
    {
        var id = Next();
        using var response = await PostUpdateAsync(Update(id, fields));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
        Assert.DoesNotContain(fixture.Conversations.Ingested, i => i.Message.ExternalMessageId == $"777:{id}");
    }

    [Fact]
    public async Task A_document_is_ingested_with_its_name_type_and_size()
    {
        var id = Next();
        using var _ = await PostUpdateAsync(Update(id, """ "document":{"file_id":"doc-1","file_unique_id":"d","file_name":"invoice.pdf","mime_type":"application/pdf","file_size":1234} """));

        var document = Assert.Single(Ingested($"777:{id}").Content.Attachments);
        Assert.Equal(("invoice.pdf", "application/pdf", 1234L), (document.FileName, document.MimeType, document.SizeBytes));
        Assert.Contains("/hooks/telegram/bot/files/doc-1?exp=", document.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_in_a_group_is_acknowledged_and_not_ingested()
    {
        var id = Next();
        using var response = await PostUpdateAsync(Update(id, """ "text":"hi all" """, chat: """{"id":-100,"type":"group","title":"Pack"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(fixture.Conversations.Ingested, i => i.Message.ExternalMessageId == $"-100:{id}");
    }

    [Theory]
    [InlineData("not-the-secret")]
    [InlineData(null)]
    public async Task An_update_without_the_secret_token_is_refused_and_not_ingested(string? secret)
    {
        var id = Next();
        using var response = await PostUpdateAsync(Update(id, """ "text":"forged" """), secret);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(fixture.Conversations.Ingested, i => i.Message.ExternalMessageId == $"777:{id}");
    }

    [Fact]
    public async Task An_agent_text_is_sent_with_sendMessage_and_its_id_names_the_chat()
    {
        var chat = Next();

        var sent = await Send(chat, new MessageContent { Text = "Your parcel left today." });

        var call = Assert.Single(fixture.BotApi.CallsOf("sendMessage", chat));
        Assert.Equal("Your parcel left today.", call["text"]?.ToString());
        Assert.StartsWith($"{chat}:", sent.ExternalMessageId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_reply_quotes_the_customer_message()
    {
        var chat = Next();

        await fixture.Connector.Connector.SendAsync(new SendRequest { IdempotencyKey = $"k{chat}", AccountId = "bot", ExternalThreadId = $"{chat}", ReplyToExternalMessageId = $"{chat}:55", Content = new MessageContent { Text = "About that:" } });

        Assert.Equal("55", Assert.Single(fixture.BotApi.CallsOf("sendMessage", chat))["reply_parameters"]?["message_id"]?.ToString());
    }

    [Fact]
    public async Task An_agent_photo_goes_by_URL_with_the_text_as_caption_and_a_pdf_as_a_document()
    {
        var chat = Next();

        await Send(chat, new MessageContent
        {
            Text = "Here is the label and a photo.",
            Attachments =
            {
                new Attachment { Url = "https://cdn.example/box.png", FileName = "box.png", MimeType = "image/png" },
                new Attachment { Url = "https://cdn.example/label.pdf", FileName = "label.pdf", MimeType = "application/pdf" },
            },
        });

        Assert.Empty(fixture.BotApi.CallsOf("sendMessage", chat));
        var photo = Assert.Single(fixture.BotApi.CallsOf("sendPhoto", chat));
        Assert.Equal("https://cdn.example/box.png", photo["photo"]?.ToString());
        Assert.Equal("Here is the label and a photo.", photo["caption"]?.ToString());
        var document = Assert.Single(fixture.BotApi.CallsOf("sendDocument", chat));
        Assert.Equal("https://cdn.example/label.pdf", document["document"]?.ToString());
        Assert.Null(document["caption"]);
    }

    [Fact]
    public async Task Quick_replies_become_numbered_text_and_the_agent_is_told()
    {
        var chat = Next();

        var sent = await Send(chat, new MessageContent { Text = "Pick one:", QuickReplies = { new QuickReply { Text = "Track" }, new QuickReply { Text = "Return" } } });

        Assert.Equal("2 quick replies sent as numbered text", Assert.Single(sent.Degradations));
        Assert.Equal("Pick one:\n1. Track\n2. Return", Assert.Single(fixture.BotApi.CallsOf("sendMessage", chat))["text"]?.ToString());
    }

    [Fact]
    public async Task A_file_Telegram_cannot_fetch_by_URL_is_sent_as_a_link_and_the_agent_is_told()
    {
        var chat = Next();

        var sent = await Send(chat, new MessageContent { Text = "The video:", Attachments = { new Attachment { Url = "https://cdn.example/how-to.mp4", FileName = "how-to.mp4", MimeType = "video/mp4" } } });

        Assert.Equal("1 attachments sent as links", Assert.Single(sent.Degradations));
        Assert.Equal("The video:\nhow-to.mp4: https://cdn.example/how-to.mp4", Assert.Single(fixture.BotApi.CallsOf("sendMessage", chat))["text"]?.ToString());
        Assert.Empty(fixture.BotApi.CallsOf("sendDocument", chat));
    }

    [Fact]
    public async Task Messages_to_one_chat_wait_for_the_per_chat_limit_while_another_chat_is_not_held_up()
    {
        var busy = Next();
        var other = Next();

        var burst = Enumerable.Range(1, 3).Select(i => Send(busy, new MessageContent { Text = $"part {i}" })).ToList();
        await Task.WhenAll(burst);
        var elsewhere = Send(other, new MessageContent { Text = "meanwhile" });
        await elsewhere;

        var times = fixture.BotApi.Calls.Where(c => c.Method == "sendMessage" && c.Parameters["chat_id"]?.ToString() == busy.ToString()).Select(c => c.At).Order().ToList();
        Assert.Equal(3, times.Count);
        // A token bucket refills on a one-second tick: the third message waits at least one full tick.
        Assert.True(times[2] - times[0] >= TimeSpan.FromMilliseconds(900), $"three messages within {(times[2] - times[0]).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_message_that_cannot_get_its_turn_before_the_deadline_is_never_sent()
    {
        var chat = Next();
        // "two" waits for the bucket's next one-second tick and takes its token: "too late" would wait about a whole
        // tick more, far beyond its 100 ms deadline (only a "two" slowed by most of a second could bring them close).
        await Send(chat, new MessageContent { Text = "one" });
        await Send(chat, new MessageContent { Text = "two" });

        var late = await Assert.ThrowsAsync<RpcException>(() => fixture.Connector.Connector.SendAsync(
            new SendRequest { IdempotencyKey = $"late{chat}", AccountId = "bot", ExternalThreadId = $"{chat}", Content = new MessageContent { Text = "too late" } },
            deadline: DateTime.UtcNow.AddMilliseconds(100)).ResponseAsync);
        await Send(chat, new MessageContent { Text = "after" });

        // Past its deadline the call is cut (the in-process test server reports the cut stream as DEADLINE_EXCEEDED,
        // UNAVAILABLE or INTERNAL depending on who notices first); what matters is that it never reached Telegram.
        Assert.NotEqual(StatusCode.OK, late.StatusCode);
        // Turns are given oldest first, so "too late" would have gone out before "after".
        Assert.Equal(["one", "two", "after"], fixture.BotApi.CallsOf("sendMessage", chat).Select(c => c["text"]?.ToString()));
    }

    [Fact]
    public async Task Telegram_answering_429_makes_the_send_resource_exhausted_with_its_retry_after()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Send(FakeBotApi.RateLimitedChat, new MessageContent { Text = "hi" }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("7", error.Trailers.GetValue("retry-after"));
        Assert.Single(fixture.BotApi.CallsOf("sendMessage", FakeBotApi.RateLimitedChat));
    }

    [Fact]
    public async Task A_send_throttled_on_its_second_part_resumes_at_the_second_part_and_never_sends_the_first_again()
    {
        var chat = Next();
        // Text over a caption's length goes first on its own; the photo is part two.
        var content = new MessageContent
        {
            Text = new string('a', 1100),
            Attachments = { new Attachment { Url = $"https://cdn.example/{FakeBotApi.ThrottledOnce}-{chat}.png", FileName = "box.png", MimeType = "image/png" } },
        };
        var request = new SendRequest { IdempotencyKey = $"k{chat}", AccountId = "bot", ExternalThreadId = $"{chat}", Content = content };

        var throttled = await Assert.ThrowsAsync<RpcException>(() => fixture.Connector.Connector.SendAsync(request).ResponseAsync);
        var failure = Failure(throttled);
        var firstPart = Assert.Single(fixture.BotApi.CallsOf("sendMessage", chat));
        var resumed = await fixture.Connector.Connector.SendAsync(new SendRequest(request) { PartsAlreadyAccepted = failure.PartsAccepted, FirstPartMessageId = failure.FirstPartMessageId });

        Assert.Equal(StatusCode.ResourceExhausted, throttled.StatusCode);
        Assert.Equal((SendFailureKind.NotSent, 1, 3), (failure.Kind, failure.PartsAccepted, failure.RetryAfterSeconds));
        Assert.Single(fixture.BotApi.CallsOf("sendMessage", chat));
        Assert.Equal(2, fixture.BotApi.CallsOf("sendPhoto", chat).Count);
        Assert.Equal(failure.FirstPartMessageId, resumed.ExternalMessageId);
        Assert.StartsWith($"{chat}:", resumed.ExternalMessageId, StringComparison.Ordinal);
        Assert.Equal(content.Text, firstPart["text"]?.ToString());
    }

    [Fact]
    public async Task An_answer_the_connector_cannot_read_after_Telegram_took_the_message_is_an_unknown_outcome_not_a_refusal()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Send(FakeBotApi.GarbledChat, new MessageContent { Text = "hi" }));

        Assert.NotEqual(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(SendFailureKind.Unknown, Failure(error).Kind);
    }

    [Fact]
    public async Task A_bot_blocked_by_the_user_fails_the_send_for_good()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Send(FakeBotApi.BlockedChat, new MessageContent { Text = "hi" }));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("blocked", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Typing_is_sent_with_sendChatAction()
    {
        var chat = Next();

        await fixture.Connector.Connector.SendSenderActionAsync(new SendSenderActionRequest { AccountId = "bot", ExternalThreadId = $"{chat}", Action = SenderAction.TypingOn });

        Assert.Equal("typing", Assert.Single(fixture.BotApi.CallsOf("sendChatAction", chat))["action"]?.ToString());
    }

    [Fact]
    public async Task A_recipient_is_valid_only_when_getChat_finds_the_chat()
    {
        var known = await fixture.Connector.Connector.ValidateRecipientsAsync(new ValidateRecipientsRequest { AccountId = "bot", Recipients = { new Recipient { ExternalId = "777" } } });
        var unknown = await fixture.Connector.Connector.ValidateRecipientsAsync(new ValidateRecipientsRequest { AccountId = "bot", Recipients = { new Recipient { ExternalId = "-5" } } });
        var notAnId = await fixture.Connector.Connector.ValidateRecipientsAsync(new ValidateRecipientsRequest { AccountId = "bot", Recipients = { new Recipient { ExternalId = "@jane" } } });

        Assert.True(known.Valid);
        Assert.False(unknown.Valid);
        Assert.False(notAnId.Valid);
    }

    [Fact]
    public async Task A_platform_account_that_never_answers_is_reported_unhealthy_within_the_probe_timeout()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var report = await fixture.Connector.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        using var health = await fixture.Connector.CreateClient().GetAsync("/health");

        // Two probes, each bound by the 1 s account timeout however long the hanging bot takes.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"the probes took {clock.Elapsed}");
        Assert.Equal(HealthStatus.Degraded, report.Entries["platform"].Status);
        Assert.Contains("hanging-bot", report.Entries["platform"].Description, StringComparison.Ordinal);
        Assert.Contains("\"platform\":\"Degraded\"", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_is_degraded_while_a_bot_token_is_refused()
    {
        using var health = await fixture.Connector.CreateClient().GetAsync("/health");

        Assert.Contains("\"platform\":\"Degraded\"", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(fixture.BotApi.Calls, c => c is { Method: "getMe", Token: "999999:REVOKED-token" });
    }

    private static string Update(int id, string fields, string chat = """{"id":777,"type":"private"}""") =>
        $"{{\"update_id\":{id},\"message\":{{\"message_id\":{id},\"date\":1753473957,\"chat\":{chat},\"from\":{From},{fields}}}}}";

    private static SendFailure Failure(RpcException error) => SendFailure.Parser.ParseFrom(error.Trailers.Get("send-failure-bin")!.ValueBytes);

    private static int Next() => Interlocked.Increment(ref s_next);

    private PlatformMessage Ingested(string messageId) =>
        Assert.Single(fixture.Conversations.Ingested, i => i.Message.ExternalMessageId == messageId).Message;

    private async Task<SendResponse> Send(long chat, MessageContent content) =>
        await fixture.Connector.Connector.SendAsync(new SendRequest { IdempotencyKey = $"k{Guid.NewGuid():N}", AccountId = "bot", ExternalThreadId = $"{chat}", Content = content });

    private async Task<HttpResponseMessage> PostUpdateAsync(string update, string? secret = TelegramFixture.SecretToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/telegram/bot") { Content = new StringContent(update, Encoding.UTF8, "application/json") };
        if (secret is not null)
        {
            request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
        }

        return await fixture.Connector.CreateClient().SendAsync(request);
    }
}
