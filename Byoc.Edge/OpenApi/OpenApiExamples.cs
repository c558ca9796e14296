using System.Globalization;
using System.Text.Json.Nodes;

namespace Byoc.Edge.OpenApi;

/// <summary>Puts the contract's JSON samples (shared/cxone-contract.md) into the OpenAPI document as examples.</summary>
public static class OpenApiExamples
{
    public static RouteHandlerBuilder WithExamples(this RouteHandlerBuilder builder, string? request, params (int Status, string Json)[] responses) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (request is not null && operation.RequestBody?.Content is { } requestContent)
            {
                foreach (var media in requestContent.Values)
                {
                    media.Example = JsonNode.Parse(request);
                }
            }

            foreach (var (status, json) in responses)
            {
                if (operation.Responses?.TryGetValue(status.ToString(CultureInfo.InvariantCulture), out var response) == true && response.Content is { } content)
                {
                    foreach (var media in content.Values)
                    {
                        media.Example = JsonNode.Parse(json);
                    }
                }
            }

            return Task.CompletedTask;
        });
}

/// <summary>The samples, verbatim from the contract where it has one.</summary>
public static class CxoneSamples
{
    public const string TokenRequest = """{"grant_type": "client_credentials", "client_id": "byoc-7f3c2a", "client_secret": "s3cr3t-from-the-admin-page"}""";
    public const string TokenResponse = """{"access_token": "eyJhbGciOiJSUzI1NiIs...", "token_type": "Bearer", "expires_in": 3600}""";
    public const string InvalidClient = """{"error": "invalid_client", "error_description": "The client id or secret is not valid."}""";
    public const string UnsupportedGrantType = """{"error": "unsupported_grant_type", "error_description": "The specified 'grant_type' is not supported."}""";

    public const string OutboundRequest = """
        {
          "brand": { "id": 1234, "friendlyName": "My Brand", "tenantId": "11ee0000-0000-0000-0000-000000000000", "businessUnitId": 4607084 },
          "thread": { "idOnExternalPlatform": "thread-22368683", "threadName": "optional subject" },
          "messageContent": { "type": "TEXT", "payload": { "text": "Hello from the agent" } },
          "endUserRecipients": [ { "idOnExternalPlatform": "user-26a80dbd", "name": "Jane Doe", "isPrimary": true, "isPrivate": false } ],
          "attachments": [ { "friendlyName": "invoice.pdf", "url": "https://cxone-storage.example/signed-url" } ],
          "replyToMessage": { "idOnExternalPlatform": "msg-123" },
          "isReplyToSpecificMessage": false,
          "forward": null
        }
        """;

    public const string OutboundResponse = """
        {
          "message": { "idOnExternalPlatform": "msg-1753473957000", "createdAtWithMilliseconds": "2025-07-25T20:05:57.000+00:00", "url": "https://platform.example/messages/msg-1753473957000" },
          "thread": { "idOnExternalPlatform": "thread-22368683" },
          "endUserIdentities": [ { "idOnExternalPlatform": "user-26a80dbd", "firstName": "Jane", "lastName": "Doe", "nickname": "@jane", "image": null } ],
          "recipients": [ { "idOnExternalPlatform": "user-26a80dbd", "name": "Jane Doe", "isPrimary": true, "isPrivate": false } ],
          "idOnExternalPlatform": "msg-1753473957000"
        }
        """;

    public const string LegacyReplyRequest = """
        {
          "id": "b7d7c2f0-1c55-4c3e-9a9e-2f1f0c1d2e3f",
          "post": { "channelId": "chat_8c2f4a0e-7f1b-4c4e-9d6e-0a1b2c3d4e5f" },
          "replyToMessageIdOnExternalPlatform": "msg-123",
          "title": "Re: Order 1234",
          "messageContent": { "type": "TEXT", "text": "Hello from the agent" }
        }
        """;

    public const string LegacyReplyResponse = """{"idOnExternalPlatform": "msg-1753473957000"}""";

    public const string RecipientsValidationRequest = """{"endUserRecipients": [ { "idOnExternalPlatform": "+15551234567", "name": "Jane Doe", "isPrimary": true, "isPrivate": false } ]}""";
    public const string RecipientsValid = "{}";
    public const string RecipientsValidationFailure = """
        { "displayErrorMessage": "Invalid recipient format", "errorCode": "outboundValidationFailed",
          "errors": [ { "path": ["idOnExternalPlatform"], "message": "Invalid recipient format" } ] }
        """;

    public const string SenderActionRequest = """
        {"brand": { "id": 1234, "friendlyName": "My Brand" }, "senderAction": {"action": "isTypingOn"}, "authorUser": {"id": 42, "firstName": "Agent", "surname": "Smith"}}
        """;

    public const string RotateClientSecretRequest = """{"previousSecretOverlapMinutes": 1440}""";
    public const string ClientSecretIssued = """{"clientId": "byoc-7f3c2a", "clientSecret": "shown-once", "previousSecretValidUntil": "2026-11-25T08:00:00+00:00"}""";
}
