using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Byoc.Edge.Cxone;

/// <summary>A CXone request body: the parsed value and the exact bytes (for the idempotency key and the timeline).</summary>
public sealed record CxoneRequestBody<T>(T Value, byte[] Raw);

/// <summary>
/// Reads CXone bodies by hand rather than through parameter binding, so that every refusal is a problem-details
/// body saying what is wrong: 413 over the size limit, 415 for a content type that is not JSON, 400 naming the
/// line, position and JSON path of malformed JSON.
/// </summary>
public sealed class CxoneRequestReader(IOptions<EdgeOptions> options)
{
    public async Task<(CxoneRequestBody<T>? Body, ProblemHttpResult? Problem)> ReadAsync<T>(
        HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        var limit = options.Value.MaxRequestBodyBytes;
        if (!IsJson(request.ContentType))
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content type",
                detail: "Send the body as application/json."));
        }

        if (request.ContentLength > limit)
        {
            return (null, TooLarge(limit));
        }

        var raw = await ReadCappedAsync(request.Body, limit, cancellationToken);
        if (raw is null)
        {
            return (null, TooLarge(limit));
        }

        try
        {
            var value = JsonSerializer.Deserialize(raw, type);
            return value is null
                ? (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Empty body", detail: "The body must be a JSON object."))
                : (new CxoneRequestBody<T>(value, raw), null);
        }
        catch (JsonException e)
        {
            // Positions are 1-based for people; the exception's own message is not echoed (it names .NET types).
            var line = (e.LineNumber ?? 0) + 1;
            var position = (e.BytePositionInLine ?? 0) + 1;
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Malformed JSON",
                detail: $"The body is not valid for this operation at line {line}, position {position} (JSON path '{e.Path ?? "$"}').",
                extensions: new Dictionary<string, object?>
                {
                    ["line"] = line,
                    ["position"] = position,
                    ["path"] = e.Path ?? "$",
                }));
        }
    }

    private static ProblemHttpResult TooLarge(long limit) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"The body exceeds {limit} bytes.");

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.HasValue
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Value!.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    // Reads at most limit + 1 bytes: a body without Content-Length (chunked) is refused as soon as it is too large.
    private static async Task<byte[]?> ReadCappedAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > limit)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own limit (set to the same size) tripped first.
            return null;
        }

        return buffer.ToArray();
    }
}
