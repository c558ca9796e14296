using System.Text.RegularExpressions;
using Byoc.Conversations.V1;
using Grpc.Core;

namespace Byoc.Edge.Admin.Operations;

/// <summary>
/// What the admin API and the operations pages ask of Conversations, in the signed-in admin's tenant scope: dead
/// letters (paged, replayed and audited), finding a message, connector health. Both surfaces call this one class,
/// so a page cannot do what the API refuses. Every call has its own deadline: a page awaits it on the Blazor
/// circuit, and a call without one could hold the page forever.
/// </summary>
public sealed partial class OperationsDesk(Byoc.Conversations.V1.Operations.OperationsClient operations, AdminAudit audit, TimeProvider time)
{
    public const int MaxPageSize = 500;
    public const int MaxReplayIds = 500;
    public static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan ReplayDeadline = TimeSpan.FromSeconds(30);

    /// <summary>The admin's tenants as Conversations takes them; an admin of every tenant may narrow to one.</summary>
    public static TenantScope ScopeOf(AdminUser user, string? tenantId = null)
    {
        if (tenantId is { Length: > 0 })
        {
            if (!user.CanSee(tenantId))
            {
                throw new AdminQueryException("tenantId", "This tenant is not one of yours.", StatusCodes.Status403Forbidden);
            }

            return new TenantScope { TenantIds = { tenantId } };
        }

        return user.TenantIds is null ? new TenantScope { AllTenants = true } : new TenantScope { TenantIds = { user.TenantIds } };
    }

    public async Task<DeadLetterPage> ListDeadLettersAsync(AdminUser user, DeadLetterQuery query, CancellationToken cancellationToken)
    {
        var pageSize = query.PageSize ?? 50;
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw new AdminQueryException("pageSize", $"pageSize must be between 1 and {MaxPageSize}.");
        }

        var order = (query.Order ?? "newest").ToLowerInvariant() switch
        {
            "newest" => DeadLetterOrder.NewestFirst,
            "oldest" => DeadLetterOrder.OldestFirst,
            _ => throw new AdminQueryException("order", "order must be 'newest' or 'oldest'."),
        };
        if (query.Cursor is { Length: > 0 } cursor && !DeadLetterId().IsMatch(cursor))
        {
            throw new AdminQueryException("cursor", "cursor must be the nextCursor of a previous page.");
        }

        var page = await operations.ListDeadLetterPageAsync(new ListDeadLetterPageRequest
        {
            Scope = ScopeOf(user, query.TenantId),
            PageSize = pageSize,
            Cursor = query.Cursor ?? string.Empty,
            Order = order,
            ChannelId = query.ChannelId ?? string.Empty,
        }, deadline: Deadline(ReadDeadline), cancellationToken: cancellationToken);
        return new DeadLetterPage([.. page.DeadLetters.Select(DeadLetterView.From)], page.NextCursor.Length == 0 ? null : page.NextCursor, page.Total);
    }

    /// <summary>Replays dead letters of the admin's tenants and records each one replayed, with who and when.</summary>
    public async Task<ReplayResult> ReplayAsync(AdminUser user, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (!user.CanChange)
        {
            throw new AdminQueryException("ids", "Replaying needs the Byoc.Admin role.", StatusCodes.Status403Forbidden);
        }

        if (ids.Count == 0 || ids.Count > MaxReplayIds)
        {
            throw new AdminQueryException("ids", $"Name between 1 and {MaxReplayIds} dead letters.");
        }

        if (ids.FirstOrDefault(id => !DeadLetterId().IsMatch(id)) is { } bad)
        {
            throw new AdminQueryException("ids", $"'{Shorten(bad)}' is not a dead letter id.");
        }

        var answer = await operations.ReplayDeadLettersAsync(new ReplayDeadLettersRequest
        {
            IdempotencyKey = $"admin:replay:{Guid.NewGuid():N}",
            Ids = { ids },
            Scope = ScopeOf(user),
        }, deadline: Deadline(ReplayDeadline), cancellationToken: cancellationToken);
        // The replay happened: its record must not be lost to a caller who went away meanwhile.
        await Task.WhenAll(answer.ReplayedDeadLetters.Select(d =>
            audit.RecordAsync(user, "dead-letter.replay", $"dead-letter/{d.Id} ({d.ChannelId} {d.MessageId})", d.TenantId.Length == 0 ? null : d.TenantId, CancellationToken.None)));
        return new ReplayResult([.. answer.ReplayedIds], [.. answer.NotReplayedIds]);
    }

    public async Task<IReadOnlyList<MessageMatchView>> FindMessageAsync(AdminUser user, string? id, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new AdminQueryException("id", "Give a message id: CXone's idOnExternalPlatform or the platform's.");
        }

        if (id.Length > 512)
        {
            throw new AdminQueryException("id", "An id is at most 512 characters.");
        }

        var answer = await operations.FindMessageAsync(new FindMessageRequest { Scope = ScopeOf(user), Id = id.Trim() },
            deadline: Deadline(ReadDeadline), cancellationToken: cancellationToken);
        return [.. answer.Matches.Select(MessageMatchView.From)];
    }

    public async Task<ConnectorHealthView> ConnectorHealthAsync(AdminUser user, CancellationToken cancellationToken)
    {
        var answer = await operations.GetConnectorHealthAsync(new GetConnectorHealthRequest { Scope = ScopeOf(user) },
            deadline: Deadline(ReadDeadline), cancellationToken: cancellationToken);
        return ConnectorHealthView.From(answer);
    }

    private DateTime Deadline(TimeSpan after) => time.GetUtcNow().UtcDateTime + after;

    private static string Shorten(string value) => value.Length > 40 ? value[..40] + "…" : value;

    [GeneratedRegex(@"^\d{1,19}-\d{1,19}$")]
    private static partial Regex DeadLetterId();
}

/// <summary>A query value the admin got wrong, named, so the API's problem and the page's message point at the field.</summary>
public sealed class AdminQueryException(string field, string message, int statusCode = StatusCodes.Status400BadRequest) : Exception(message)
{
    public string Field { get; } = field;

    public int StatusCode { get; } = statusCode;

    public Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult ToProblem() => TypedResults.Problem(
        statusCode: StatusCode,
        title: StatusCode == StatusCodes.Status403Forbidden ? "Forbidden" : "Invalid request",
        detail: Message,
        extensions: new Dictionary<string, object?> { ["field"] = Field, ["errors"] = new Dictionary<string, string[]> { [Field] = [Message] } });
}

public sealed record DeadLetterQuery(int? PageSize, string? Cursor, string? Order, string? TenantId, string? ChannelId);

public sealed record DeadLetterPage(IReadOnlyList<DeadLetterView> DeadLetters, string? NextCursor, long Total);

/// <summary>A dead letter as the admin sees it; <c>ErrorSource</c> says whose error <c>Reason</c> and <c>Response</c> are.</summary>
public sealed record DeadLetterView(
    string Id, string Kind, string TenantId, string IntegrationId, string ChannelId, string ThreadId, string MessageId,
    string ErrorSource, string Reason, string? Response, int Attempts, DateTimeOffset? FailedAt)
{
    public static DeadLetterView From(DeadLetter d) => new(
        d.Id, d.Kind, d.TenantId, d.IntegrationId, d.ChannelId, d.ThreadId, d.MessageId,
        d.ErrorSource switch { Byoc.Conversations.V1.ErrorSource.Cxone => "cxone", Byoc.Conversations.V1.ErrorSource.Platform => "platform", Byoc.Conversations.V1.ErrorSource.Byoc => "byoc", _ => "unknown" },
        d.Reason, d.CxoneResponse.Length == 0 ? null : d.CxoneResponse, d.Attempts, d.FailedAt?.ToDateTimeOffset());
}

public sealed record ReplayRequest(IReadOnlyList<string>? Ids);

public sealed record ReplayResult(IReadOnlyList<string> Replayed, IReadOnlyList<string> NotReplayed);

public sealed record HopView(DateTimeOffset At, string Hop, string? Detail);

public sealed record MessageMatchView(
    string ChannelId, string TenantId, string IntegrationId, string Connector, string AccountId, string MatchedBy, string Kind,
    string CxoneId, string? PlatformId, IReadOnlyList<HopView> Timeline)
{
    public static MessageMatchView From(MessageMatch m) => new(
        m.ChannelId, m.TenantId, m.IntegrationId, m.Connector, m.AccountId, m.MatchedBy,
        m.Kind switch { IdKind.Thread => "thread", IdKind.Message => "message", IdKind.EndUser => "end-user", _ => "unknown" },
        m.CxoneId, m.PlatformId.Length == 0 ? null : m.PlatformId,
        [.. m.Hops.Select(h => new HopView(h.At.ToDateTimeOffset(), h.Hop, h.Detail.Length == 0 ? null : h.Detail))]);
}

public sealed record MessageSearch(string Id, IReadOnlyList<MessageMatchView> Matches);

public sealed record ConnectorView(string Connector, bool Reachable, string? DisplayName, string? Error, double LatencyMs);

public sealed record AccountView(
    string ChannelId, string ChannelName, string TenantId, string Connector, string AccountId,
    DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt, string? LastFailure);

public sealed record ConnectorHealthView(IReadOnlyList<ConnectorView> Connectors, IReadOnlyList<AccountView> Accounts)
{
    public static ConnectorHealthView From(GetConnectorHealthResponse r) => new(
        [.. r.Connectors.Select(c => new ConnectorView(c.Connector, c.Reachable, c.DisplayName.Length == 0 ? null : c.DisplayName,
            c.Error.Length == 0 ? null : c.Error, c.Latency?.ToTimeSpan().TotalMilliseconds ?? 0))],
        [.. r.Accounts.Select(a => new AccountView(a.ChannelId, a.ChannelName, a.TenantId, a.Connector, a.AccountId,
            a.LastSuccessAt?.ToDateTimeOffset(), a.LastFailureAt?.ToDateTimeOffset(), a.LastFailure.Length == 0 ? null : a.LastFailure))]);
}
