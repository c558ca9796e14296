using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Byoc.Edge.Cxone;
using Microsoft.Extensions.Options;

namespace Byoc.Edge.Identity;

/// <summary>
/// Sits in front of OpenIddict on the token paths. CXone's samples post the token request as JSON, which OpenIddict
/// (RFC 6749: form-encoded only) refuses, so a JSON body is rewritten as the equivalent form. It also enforces the
/// body size limit. (Wrong credentials are slowed down after verification, by <see cref="FailedTokenAttempts"/>.)
/// </summary>
public sealed class CxoneTokenRequests(RequestDelegate next, IOptions<CxoneTokenOptions> tokenOptions, IOptions<EdgeOptions> edgeOptions)
{
    private readonly HashSet<PathString> _paths = [.. tokenOptions.Value.AllPaths().Select(p => new PathString(p))];

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || !_paths.Contains(request.Path))
        {
            await next(context);
            return;
        }

        var limit = edgeOptions.Value.MaxRequestBodyBytes;
        if (request.ContentLength > limit)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "invalid_request", $"The body exceeds {limit} bytes.");
            return;
        }

        try
        {
            if (request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true && !await RewriteJsonAsFormAsync(request, limit))
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "The body must be a JSON object of strings.");
                return;
            }

            // Read here, so a form OpenIddict could not decode (a NUL, invalid percent-encoding, too many values) is
            // the client's error and not the server's; OpenIddict then reads the form already parsed.
            if (request.HasFormContentType)
            {
                await request.ReadFormAsync(context.RequestAborted);
            }
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException || (e is IOException && !context.RequestAborted.IsCancellationRequested))
        {
            // IOException: a multipart body that is not one.
            var status = e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest;
            await WriteErrorAsync(context, status, "invalid_request", "The body is not a readable form: " + e.Message);
            return;
        }

        await next(context);
    }

    private static async Task<bool> RewriteJsonAsFormAsync(HttpRequest request, long limit)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        if (buffer.Length > limit)
        {
            return false;
        }

        var form = new StringBuilder();
        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    JsonValueKind.Null => null,
                    _ => throw new JsonException("Nested values are not OAuth parameters."),
                };
                if (value is not null)
                {
                    form.Append(form.Length == 0 ? "" : "&").Append(Uri.EscapeDataString(property.Name)).Append('=').Append(Uri.EscapeDataString(value));
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8.
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(form.ToString());
        request.Body = new MemoryStream(bytes);
        request.ContentLength = bytes.Length;
        request.ContentType = "application/x-www-form-urlencoded";
        return true;
    }

    public static async Task WriteErrorAsync(HttpContext context, int status, string error, string description)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(new OAuthError(error, description), CxoneJson.Default.OAuthError, cancellationToken: context.RequestAborted);
    }
}
