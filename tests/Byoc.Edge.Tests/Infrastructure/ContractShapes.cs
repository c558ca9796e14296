using System.Text.Json;

namespace Byoc.Edge.Tests.Infrastructure;

/// <summary>
/// The response samples of shared/cxone-contract.md §2, copied verbatim, and a comparison of JSON shapes: the same
/// property names at every level (no key missing, none extra) and the same kinds of values, null matching anything.
/// </summary>
public static class ContractShapes
{
    public const string Token = """{"access_token": "...", "token_type": "Bearer", "expires_in": 3600}""";

    public const string LegacyReply = """{"idOnExternalPlatform": "<external message id>"}""";

    // §2.3's sample with the top-level idOnExternalPlatform Byoc adds as a hedge (issue 12, contract §5).
    public const string Outbound = """
        {
          "message": { "idOnExternalPlatform": "msg-1753473957000", "createdAtWithMilliseconds": "2025-07-25T20:05:57.000+00:00", "url": "https://platform.example/messages/msg-1753473957000" },
          "thread": { "idOnExternalPlatform": "thread-22368683" },
          "endUserIdentities": [ { "idOnExternalPlatform": "user-26a80dbd", "firstName": "Jane", "lastName": "Doe", "nickname": "@jane", "image": null } ],
          "recipients": [ { "idOnExternalPlatform": "user-26a80dbd", "name": "Jane Doe", "isPrimary": true, "isPrivate": false } ],
          "idOnExternalPlatform": "msg-1753473957000"
        }
        """;

    public const string RecipientsInvalid = """
        { "displayErrorMessage": "Invalid recipient format", "errorCode": "outboundValidationFailed",
          "errors": [ { "path": ["idOnExternalPlatform"], "message": "Invalid recipient format" } ] }
        """;

    public static void AssertSameShape(string expectedSample, JsonElement actual) =>
        Compare(JsonDocument.Parse(expectedSample).RootElement, actual, "$");

    private static void Compare(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind == JsonValueKind.Null || actual.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        Assert.True(Kind(expected) == Kind(actual), $"{path}: expected {expected.ValueKind}, got {actual.ValueKind}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var expectedNames = expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                var actualNames = actual.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                Assert.True(expectedNames.SequenceEqual(actualNames),
                    $"{path}: expected keys [{string.Join(", ", expectedNames)}], got [{string.Join(", ", actualNames)}]");
                foreach (var property in expected.EnumerateObject())
                {
                    Compare(property.Value, actual.GetProperty(property.Name), $"{path}.{property.Name}");
                }

                break;
            case JsonValueKind.Array when expected.GetArrayLength() > 0:
                Assert.True(actual.GetArrayLength() > 0, $"{path}: expected a non-empty array");
                foreach (var item in actual.EnumerateArray())
                {
                    Compare(expected[0], item, $"{path}[]");
                }

                break;
        }
    }

    private static JsonValueKind Kind(JsonElement e) => e.ValueKind == JsonValueKind.False ? JsonValueKind.True : e.ValueKind;
}
