using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Requests the framework refuses before an endpoint runs (a query value that is not a number, a body that is not
/// JSON, an unreadable form) answer with their own 4xx and a problem body naming the parameter, instead of a 500.
/// </summary>
public static partial class BadRequests
{
    public static int StatusCode(Exception exception) => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        InvalidDataException => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static void Explain(ProblemDetailsContext context)
    {
        if (context.Exception is not (BadHttpRequestException or InvalidDataException))
        {
            return;
        }

        var message = context.Exception.Message;
        context.ProblemDetails.Detail = message;
        // "Failed to bind parameter "Nullable<int> userId" from "abc"." and the like: the parameter is the field.
        if (ParameterName().Match(message) is { Success: true } match)
        {
            context.ProblemDetails.Extensions["field"] = match.Groups["name"].Value;
        }
    }

    [GeneratedRegex("parameter \"(?:[^\"]* )?(?<name>[A-Za-z_][A-Za-z0-9_]*)\"")]
    private static partial Regex ParameterName();
}
