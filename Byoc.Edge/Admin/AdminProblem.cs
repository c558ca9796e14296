using Grpc.Core;

namespace Byoc.Edge.Admin;

/// <summary>
/// What an admin is told when Conversations refuses a change, for the REST API (RFC 7807: the field in <c>field</c>
/// and <c>errors</c>, CXone's answer in <c>cxoneStatus</c> and <c>cxoneBody</c>) and the pages (next to the field).
/// </summary>
public sealed record AdminProblem(int Status, string Title, string Detail, string? Field, int? CxoneStatus, string? CxoneBody)
{
    /// <summary>Null for what is not the admin's to read (an outage or a failure of Byoc): those stay with <see cref="Cxone.ConversationsErrors"/>.</summary>
    public static AdminProblem? From(RpcException e)
    {
        var field = e.Trailers.GetValue("field");
        int? cxoneStatus = int.TryParse(e.Trailers.GetValue("cxone-status"), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : null;
        var cxoneBody = e.Trailers.GetValue("cxone-body") is { } body ? Uri.UnescapeDataString(body) : null;
        return e.StatusCode switch
        {
            StatusCode.InvalidArgument => new(StatusCodes.Status400BadRequest, "Invalid input", e.Status.Detail, field, null, null),
            StatusCode.AlreadyExists => new(StatusCodes.Status409Conflict, "Already exists", e.Status.Detail, field, null, null),
            StatusCode.NotFound => new(StatusCodes.Status404NotFound, "Not found", e.Status.Detail, null, null, null),
            StatusCode.FailedPrecondition when cxoneStatus is not null => new(StatusCodes.Status502BadGateway, "CXone refused", e.Status.Detail, null, cxoneStatus, cxoneBody),
            StatusCode.Unavailable when cxoneStatus is not null => new(StatusCodes.Status503ServiceUnavailable, "CXone did not answer", e.Status.Detail, null, cxoneStatus, cxoneBody),
            StatusCode.FailedPrecondition => new(StatusCodes.Status409Conflict, "Conflict", e.Status.Detail, field, null, null),
            _ => null,
        };
    }

    /// <summary>A problem found by the Edge itself (a field it can check before asking Conversations).</summary>
    public static AdminProblem Invalid(string field, string detail) => new(StatusCodes.Status400BadRequest, "Invalid input", detail, field, null, null);

    public IResult ToResult()
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (Field is not null)
        {
            extensions["field"] = Field;
            extensions["errors"] = new Dictionary<string, string[]> { [Field] = [Detail] };
        }

        if (CxoneStatus is not null)
        {
            extensions["cxoneStatus"] = CxoneStatus;
            extensions["cxoneBody"] = CxoneBody;
        }

        return TypedResults.Problem(statusCode: Status, title: Title, detail: Detail, extensions: extensions);
    }
}

/// <summary>An endpoint filter turning Conversations' refusals of an admin change into <see cref="AdminProblem"/>s.</summary>
public sealed class AdminProblems : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (RpcException e) when (AdminProblem.From(e) is { } problem)
        {
            return problem.ToResult();
        }
        catch (AdminInputException e)
        {
            return e.Problem.ToResult();
        }
    }
}

/// <summary>Bad input the Edge found itself, thrown by the admin services so pages and endpoints report it alike.</summary>
public sealed class AdminInputException(AdminProblem problem) : Exception(problem.Detail)
{
    public AdminProblem Problem { get; } = problem;
}
