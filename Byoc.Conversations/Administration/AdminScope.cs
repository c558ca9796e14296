using Grpc.Core;
using AdminV1 = Byoc.Administration.V1;

namespace Byoc.Conversations.Administration;

/// <summary>
/// The tenants an admin may see and change, as the Edge states them on every call. An object outside the scope is
/// answered exactly like an unknown one (NOT_FOUND), so a caller cannot even tell it exists.
/// </summary>
public sealed class AdminScope
{
    private readonly HashSet<string> _tenants;

    private AdminScope(bool allTenants, IEnumerable<string> tenants)
    {
        AllTenants = allTenants;
        _tenants = new HashSet<string>(tenants.Where(t => t.Length > 0), StringComparer.Ordinal);
    }

    public bool AllTenants { get; }

    /// <summary>The tenants named (empty with <see cref="AllTenants"/>).</summary>
    public IReadOnlyCollection<string> Tenants => _tenants;

    public static AdminScope From(AdminV1.TenantScope? scope) =>
        scope is null ? new AdminScope(false, []) : new AdminScope(scope.AllTenants, scope.TenantIds);

    public static AdminScope Everything { get; } = new(true, []);

    public static AdminScope Of(params string[] tenants) => new(false, tenants);

    public bool Covers(string tenantId) => AllTenants || _tenants.Contains(tenantId);
}

/// <summary>How the Administration service refuses: by field, as unknown, or with CXone's answer.</summary>
public static class AdminErrors
{
    public const string FieldTrailer = "field";
    public const string CxoneStatusTrailer = "cxone-status";
    public const string CxoneBodyTrailer = "cxone-body";

    /// <summary>Bad input: INVALID_ARGUMENT naming the field (camelCase, as the REST API names it).</summary>
    public static RpcException Field(string field, string message) =>
        new(new Status(StatusCode.InvalidArgument, message), new Metadata { { FieldTrailer, field } });

    /// <summary>Already taken: ALREADY_EXISTS naming the field.</summary>
    public static RpcException Taken(string field, string message) =>
        new(new Status(StatusCode.AlreadyExists, message), new Metadata { { FieldTrailer, field } });

    public static RpcException NotFound(string what) => new(new Status(StatusCode.NotFound, $"no {what}"));

    /// <summary>
    /// CXone refused (FAILED_PRECONDITION) or could not be reached (UNAVAILABLE), with its status and body (bounded)
    /// for the admin to read.
    /// </summary>
    public static RpcException Cxone(Byoc.Conversations.Cxone.CxoneResult result, string what)
    {
        var body = result.Body ?? string.Empty;
        var trailers = new Metadata
        {
            { CxoneStatusTrailer, result.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            // Trailers are headers: kept short and on one line.
            { CxoneBodyTrailer, Uri.EscapeDataString(body.Length > 2000 ? body[..2000] : body) },
        };
        var status = result.Outcome == Byoc.Conversations.Cxone.CxoneOutcome.Rejected ? StatusCode.FailedPrecondition : StatusCode.Unavailable;
        var detail = result.StatusCode == 0 ? $"{what}: {body}" : $"{what}: CXone answered {result.StatusCode}";
        return new RpcException(new Status(status, detail), trailers);
    }
}
