using System.Text.Json;
using System.Text.Json.Serialization;

namespace Byoc.Edge.Cxone;

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(LenientStringConverter)])]
[JsonSerializable(typeof(OutboundRequest))]
[JsonSerializable(typeof(OutboundResponse))]
[JsonSerializable(typeof(LegacyReplyRequest))]
[JsonSerializable(typeof(LegacyReplyResponse))]
[JsonSerializable(typeof(RecipientsValidationRequest))]
[JsonSerializable(typeof(RecipientsValid))]
[JsonSerializable(typeof(RecipientsValidationFailure))]
[JsonSerializable(typeof(SenderActionRequest))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(OAuthError))]
[JsonSerializable(typeof(RotateClientSecretRequest))]
[JsonSerializable(typeof(ClientSecretIssued))]
[JsonSerializable(typeof(PreviousSecretRevoked))]
[JsonSerializable(typeof(ChannelRefusalList))]
public sealed partial class CxoneJson : JsonSerializerContext;

/// <summary>
/// Ids in CXone bodies are strings in some samples and numbers in others; a number read where a string is
/// expected keeps its text instead of failing the request.
/// </summary>
public sealed class LenientStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"Expected a string or a number, found {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
