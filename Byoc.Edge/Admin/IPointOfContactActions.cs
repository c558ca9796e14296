namespace Byoc.Edge.Admin;

/// <summary>
/// What CXone's Reconnect and Remove URLs ask of a point of contact (<c>/settings/reconnect</c>, <c>/settings/remove</c>):
/// re-check its platform credentials, or delete it and its CXone channel. The caller has verified CXone's one-time
/// token; <paramref name="user"/> is an Admin of that CXone tenant only, so an implementation must refuse (404) a channel
/// of another tenant (<see cref="AdminUser.CanSee"/>) and record what it changes in <see cref="AdminAudit"/>.
/// </summary>
public interface IPointOfContactActions
{
    /// <summary>Re-checks the point of contact's platform credentials (CXone's Reconnect).</summary>
    Task<PointOfContactActionResult> CheckAsync(string channelId, AdminUser user, CancellationToken cancellationToken);

    /// <summary>Deletes the point of contact and its CXone channel (CXone's Remove).</summary>
    Task<PointOfContactActionResult> DeleteAsync(string channelId, AdminUser user, CancellationToken cancellationToken);
}

/// <summary>
/// The outcome, as an HTTP status (200 done, 404 no such point of contact for this user, 409/422 cannot, 502 the
/// platform or CXone failed, 501 not available) and a sentence for the admin.
/// </summary>
public sealed record PointOfContactActionResult(int Status, string Message)
{
    public bool Succeeded => Status is >= 200 and < 300;
}

/// <summary>The default until points of contact are administered here: every action answers 501.</summary>
public sealed class NoPointOfContactActions : IPointOfContactActions
{
    private static readonly PointOfContactActionResult NotAvailable =
        new(StatusCodes.Status501NotImplemented, "Reconnecting and removing points of contact is not available in this version of Byoc.");

    public Task<PointOfContactActionResult> CheckAsync(string channelId, AdminUser user, CancellationToken cancellationToken) => Task.FromResult(NotAvailable);

    public Task<PointOfContactActionResult> DeleteAsync(string channelId, AdminUser user, CancellationToken cancellationToken) => Task.FromResult(NotAvailable);
}
