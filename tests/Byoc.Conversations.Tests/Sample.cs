using Byoc.Conversations.V1;
using Byoc.Messages.V1;
using Google.Protobuf.WellKnownTypes;

namespace Byoc.Conversations.Tests;

/// <summary>Builds platform messages as a connector would hand them in, with ids unique to the calling test.</summary>
internal static class Sample
{
    public static IngestRequest Ingest(string account, string thread, string messageId, string text, string author = "jane") => new()
    {
        IdempotencyKey = messageId,
        Connector = "test",
        AccountId = account,
        Message = new PlatformMessage
        {
            ExternalMessageId = messageId,
            ExternalThreadId = thread,
            ThreadName = "Order 1234",
            Author = new EndUser { ExternalId = author, FirstName = "Jane", LastName = "Doe", Nickname = "@jane" },
            Content = new MessageContent { Text = text },
            CreatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 7, 25, 20, 5, 57, 123, TimeSpan.Zero)),
        },
    };

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
