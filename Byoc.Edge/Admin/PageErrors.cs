using Grpc.Core;

namespace Byoc.Edge.Admin;

/// <summary>What a page shows after a refused change: each field's error next to it, the rest at the top.</summary>
public sealed class PageErrors
{
    private readonly Dictionary<string, string> _fields = new(StringComparer.OrdinalIgnoreCase);

    public string? General { get; private set; }

    public int? CxoneStatus { get; private set; }

    public string? CxoneBody { get; private set; }

    public bool Any => General is not null || _fields.Count > 0;

    public string? For(string field) => _fields.GetValueOrDefault(field);

    public void Clear()
    {
        _fields.Clear();
        (General, CxoneStatus, CxoneBody) = (null, null, null);
    }

    public void Field(string field, string message) => _fields[field] = message;

    /// <summary>Takes the failure of a change; false when it is not one a page reports (then it is thrown on).</summary>
    public bool Take(Exception failure)
    {
        Clear();
        var problem = failure switch
        {
            AdminInputException input => input.Problem,
            RpcException rpc => AdminProblem.From(rpc) ?? new AdminProblem(503, "Unavailable", "Conversations cannot answer right now; try again in a moment.", null, null, null),
            UnauthorizedAccessException => new AdminProblem(403, "Forbidden", "This needs the Byoc.Admin role.", null, null, null),
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        if (problem.Field is { } field)
        {
            _fields[field] = problem.Detail;
        }
        else
        {
            General = problem.Detail;
        }

        (CxoneStatus, CxoneBody) = (problem.CxoneStatus, problem.CxoneBody);
        return true;
    }
}
