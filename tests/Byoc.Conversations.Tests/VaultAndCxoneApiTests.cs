using Byoc.Deployment;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Byoc.Conversations.Cxone;
using Byoc.Conversations.Identity;
using Byoc.Conversations.Registry;
using Byoc.Conversations.V1;
using Byoc.Messages.V1;
using StackExchange.Redis;
using Byoc.Testing;

namespace Byoc.Conversations.Tests;

[Collection(StackCollection.Name)]
public sealed class VaultAndCxoneApiTests(ConversationsStack stack)
{
    [Fact]
    public async Task Platform_account_settings_are_encrypted_at_rest_and_given_decrypted_to_their_connector()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.ConnectionString);
        var raw = (await redis.GetDatabase().HashGetAllAsync("byoc:v1:{c:acme-1}:channel")).Select(e => e.Value.ToString());
        var accounts = stack.Accounts;

        var all = await accounts.GetAccountSettingsAsync(new GetAccountSettingsRequest { Connector = "test" });
        var one = await accounts.GetAccountSettingsAsync(new GetAccountSettingsRequest { Connector = "test", AccountId = "a2" });

        Assert.DoesNotContain(raw, v => v.Contains("platform-token-of-a1", StringComparison.Ordinal));
        Assert.Equal(["a1", "a2", "g1"], all.Accounts.Select(a => a.AccountId).Order(StringComparer.Ordinal));
        Assert.Equal("platform-token-of-a1", all.Accounts.Single(a => a.AccountId == "a1").Settings["token"]);
        Assert.Equal("acme-2", one.Accounts.Single().ChannelId);
        Assert.Equal("platform-token-of-a2", one.Accounts.Single().Settings["token"]);
    }

    [Fact]
    public async Task A_customer_typing_reaches_CXone_on_the_CXone_thread()
    {
        var thread = Sample.Unique("thread");

        await stack.Inbound.ReportSenderActionAsync(new ReportSenderActionRequest { Connector = "test", AccountId = "a1", ExternalThreadId = thread, Action = SenderAction.TypingOn });

        var actions = await stack.Sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/cxone/channels/acme-1/sender-actions");
        var action = actions.EnumerateArray().Single(a => a.GetProperty("threadIdOnExternalPlatform").GetString() == ExternalIds.Derive("test", "a1", IdKind.Thread, thread));
        Assert.Equal("isTypingOn", action.GetProperty("action").GetString());
    }

    [Fact]
    public async Task Attachments_reach_CXone_as_fetchable_urls_with_their_names()
    {
        var thread = Sample.Unique("thread");
        var request = Sample.Ingest("a1", thread, Sample.Unique("m"), "");
        request.Message.Content.Attachments.Add(new Attachment { FileName = "photo.jpg", Url = "https://files.example/photo.jpg", MimeType = "image/jpeg" });
        request.Message.Content.Attachments.Add(new Attachment { Url = "https://files.example/unnamed" });

        await stack.Inbound.IngestAsync(request);

        var cxoneThread = ExternalIds.Derive("test", "a1", IdKind.Thread, thread);
        await Poll.UntilAsync(async () => (await stack.Sandbox.MessagesInThreadAsync("acme-1", cxoneThread)).Count == 1, TimeSpan.FromSeconds(30), "stored");
        var attachments = (await stack.Sandbox.MessagesInThreadAsync("acme-1", cxoneThread)).Single().GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(["photo.jpg", "attachment"], attachments.Select(a => a.GetProperty("friendlyName").GetString()));
        Assert.Equal(["https://files.example/photo.jpg", "https://files.example/unnamed"], attachments.Select(a => a.GetProperty("url").GetString()));
    }

    [Fact]
    public async Task A_one_time_token_verifies_once_and_yields_the_brand_the_user_and_a_user_token()
    {
        var issued = await (await stack.Sandbox.Http.PostAsync("/sandbox/cxone/one-time-tokens?userId=123", null)).Content.ReadFromJsonAsync<JsonElement>();
        var token = issued.GetProperty("token").GetString()!;
        var integration = (await stack.Service<RegistryStore>().GetIntegrationAsync("acme"))!;
        var cxone = stack.Service<CxoneClient>();

        var first = await cxone.VerifyOneTimeTokenAsync(integration, 4567, 123, token, CancellationToken.None);
        var again = await cxone.VerifyOneTimeTokenAsync(integration, 4567, 123, token, CancellationToken.None);

        Assert.True(first.IsAccepted);
        var body = JsonNode.Parse(first.Body!)!;
        Assert.Equal(4567, body["brand"]!["id"]!.GetValue<int>());
        Assert.Equal(123, body["user"]!["id"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(body["accessToken"]!.GetValue<string>()));
        Assert.Equal(CxoneOutcome.Rejected, again.Outcome);
    }

    [Fact]
    public async Task Points_of_contact_are_created_with_an_icon_listed_and_deleted_at_CXone()
    {
        var integration = (await stack.Service<RegistryStore>().GetIntegrationAsync("acme"))!;
        var cxone = stack.Service<CxoneClient>();
        var channel = Provisioning.ToCxoneChannel(integration, new ProvisionedChannel { Id = Sample.Unique("poc"), Connector = "test", AccountId = "temp", Name = "Temporary" });

        var created = await cxone.UpsertChannelAsync(integration, channel, CancellationToken.None);
        var listed = await cxone.ListChannelsAsync(integration, CancellationToken.None);
        var deleted = await cxone.DeleteChannelAsync(integration, channel["id"]!.GetValue<string>(), CancellationToken.None);
        var badIcon = await cxone.UpsertChannelAsync(integration, new JsonObject(channel.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))) { ["externalPlatformIcon"] = "junglebook" }, CancellationToken.None);

        Assert.True(created.IsAccepted);
        Assert.Equal("forum", JsonNode.Parse(created.Body!)!["externalPlatformIcon"]!.GetValue<string>());
        Assert.Contains(JsonNode.Parse(listed.Body!)!.AsArray(), c => c!["id"]!.GetValue<string>() == channel["id"]!.GetValue<string>());
        Assert.True(deleted.IsAccepted);
        Assert.Equal(CxoneOutcome.Rejected, badIcon.Outcome);
        Assert.Contains("externalPlatformIcon", badIcon.Body, StringComparison.Ordinal);
    }
}

public sealed class SecretReferenceTests
{
    [Fact]
    public void A_plain_value_is_the_secret_itself() => Assert.Equal("s3cret=", SecretReference.Resolve("s3cret=", "X"));

    [Fact]
    public void An_env_reference_reads_the_environment_variable()
    {
        var name = $"BYOC_TEST_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(name, "from-env");

        Assert.Equal("from-env", SecretReference.Resolve($"env:{name}", "X"));
        Environment.SetEnvironmentVariable(name, null);
    }

    [Fact]
    public void A_file_reference_reads_the_file_without_its_final_newline()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "from-file\n");

        Assert.Equal("from-file", SecretReference.Resolve($"file:{path}", "X"));
        File.Delete(path);
    }

    [Fact]
    public void A_reference_to_a_missing_variable_names_the_setting_and_the_variable_not_a_value()
    {
        var error = Assert.Throws<DeploymentException>(() => SecretReference.Resolve("env:BYOC_SURELY_UNSET", "Byoc:Provisioning:Integrations:acme:ClientSecret"));

        Assert.Contains("Byoc:Provisioning:Integrations:acme:ClientSecret", error.Message, StringComparison.Ordinal);
        Assert.Contains("BYOC_SURELY_UNSET", error.Message, StringComparison.Ordinal);
    }
}
