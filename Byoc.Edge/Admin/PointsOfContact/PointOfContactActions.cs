using Grpc.Core;

namespace Byoc.Edge.Admin.PointsOfContact;

/// <summary>
/// CXone's Reconnect and Remove URLs on a point of contact, through the same <see cref="PointOfContactAdmin"/> the
/// pages use (tenant scope, CXone first on delete, audit). Each call gets its own scope: the caller may be a singleton.
/// </summary>
public sealed class PointOfContactActions(IServiceScopeFactory scopes) : IPointOfContactActions
{
    public async Task<PointOfContactActionResult> CheckAsync(string channelId, AdminUser user, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            var check = await scope.ServiceProvider.GetRequiredService<PointOfContactAdmin>().CheckAsync(user, channelId, cancellationToken);
            return check.AccountOk && check.CxoneOk
                ? new(StatusCodes.Status200OK, $"The platform account works ({check.AccountDetail}) and CXone lists the point of contact.")
                : new(StatusCodes.Status502BadGateway, $"Platform account: {check.AccountDetail}. CXone: {check.CxoneDetail}.");
        }
        catch (RpcException e)
        {
            return Failed(e);
        }
    }

    public async Task<PointOfContactActionResult> DeleteAsync(string channelId, AdminUser user, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            await scope.ServiceProvider.GetRequiredService<PointOfContactAdmin>().DeleteAsync(user, channelId, cancellationToken);
            return new(StatusCodes.Status200OK, "The point of contact is deleted at CXone and in Byoc.");
        }
        catch (RpcException e)
        {
            return Failed(e);
        }
    }

    private static PointOfContactActionResult Failed(RpcException e) => AdminProblem.From(e) is { } problem
        ? new(problem.Status, problem.CxoneStatus is { } status ? $"{problem.Detail} ({status}: {problem.CxoneBody})" : problem.Detail)
        : new(StatusCodes.Status503ServiceUnavailable, "Byoc cannot do it right now; try again in a moment.");
}
