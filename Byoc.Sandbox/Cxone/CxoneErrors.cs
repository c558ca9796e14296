using System.Text.Json.Serialization;

namespace Byoc.Sandbox.Cxone;

/// <summary>CXone's error body (cxone-contract §3.6): <c>{"errors": [{field, message, parameters, errorCode}], "uid"}</c>.</summary>
public sealed record CxoneErrorBody(IReadOnlyList<CxoneError> Errors, string Uid)
{
    public static IResult BadRequest(params CxoneError[] errors) =>
        TypedResults.Json(new CxoneErrorBody(errors, Guid.NewGuid().ToString()), CxoneJson.Default.CxoneErrorBody, statusCode: StatusCodes.Status400BadRequest);

    public static IResult NotFound(string field, string message) =>
        TypedResults.Json(new CxoneErrorBody([new CxoneError(field, message, null, "NotFound")], Guid.NewGuid().ToString()), CxoneJson.Default.CxoneErrorBody, statusCode: StatusCodes.Status404NotFound);
}

public sealed record CxoneError(
    string Field,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Parameters,
    string ErrorCode);

/// <summary>An OAuth error (RFC 6749 §5.2) as CXone's auth endpoint answers.</summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string Description);
