using Byoc.Conversations.Identity;
using Byoc.Conversations.V1;
using Byoc.Messages.V1;
using Grpc.Core;

namespace Byoc.Conversations.Tests;

/// <summary>
/// A legacy reply may name only its thread, and whether that is the id Byoc gave CXone or the platform's own is not
/// public: Conversations finds the channel either way, and the platform always gets its own thread id.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class LegacyReplyResolutionTests(ConversationsStack stack)
{
    [Fact]
    public async Task A_legacy_reply_naming_the_thread_by_its_cxone_id_reaches_that_threads_channel()
    {
        var thread = Sample.Unique("thread");
        await stack.Inbound.IngestAsync(Sample.Ingest("a2", thread, Sample.Unique("m"), "question"));
        var key = Sample.Unique("legacy");

        var response = await stack.Outbound.DeliverAsync(LegacyReply(key, ExternalIds.Derive("test", "a2", IdKind.Thread, thread)));

        var sent = stack.Connector.Sends.Single(s => s.IdempotencyKey == key);
        Assert.Equal(("a2", thread), (sent.AccountId, sent.ExternalThreadId));
        Assert.Equal(ExternalIds.Derive("test", "a2", IdKind.Thread, thread), response.ThreadId);
    }

    [Fact]
    public async Task A_legacy_reply_naming_the_thread_by_the_platforms_id_reaches_that_threads_channel()
    {
        var thread = Sample.Unique("thread");
        await stack.Inbound.IngestAsync(Sample.Ingest("a2", thread, Sample.Unique("m"), "question"));
        var key = Sample.Unique("legacy");

        await stack.Outbound.DeliverAsync(LegacyReply(key, thread));

        var sent = stack.Connector.Sends.Single(s => s.IdempotencyKey == key);
        Assert.Equal(("a2", thread), (sent.AccountId, sent.ExternalThreadId));
    }

    [Fact]
    public async Task A_platform_thread_id_is_looked_up_only_on_the_calling_integrations_channels()
    {
        var thread = Sample.Unique("thread");
        await stack.Inbound.IngestAsync(Sample.Ingest("g1", thread, Sample.Unique("m"), "question"));

        var e = await Assert.ThrowsAsync<RpcException>(() => stack.Outbound.DeliverAsync(LegacyReply(Sample.Unique("legacy"), thread)).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.DoesNotContain(stack.Connector.Sends, s => s.ExternalThreadId == thread);
    }

    [Fact]
    public async Task A_thread_known_by_neither_id_is_not_found()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => stack.Outbound.DeliverAsync(LegacyReply(Sample.Unique("legacy"), Sample.Unique("nobody-knows"))).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    private static DeliverRequest LegacyReply(string key, string threadId) => new()
    {
        IdempotencyKey = key,
        IntegrationId = "acme",
        ThreadId = threadId,
        Content = new MessageContent { Text = "Hello from the agent" },
        Contract = DeliveryContract.LegacyPosts,
    };
}
