using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Byoc.Edge.Admin.Operations;

/// <summary>Messages, dead letters and connector health under <c>/admin/api</c>, in the caller's tenant scope.</summary>
public static class OperationsApi
{
    public static IServiceCollection AddOperationsAdmin(this IServiceCollection services)
    {
        services.AddScoped<OperationsDesk>();
        return services;
    }

    public static RouteGroupBuilder MapOperationsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/messages", FindMessage)
            .WithName("FindMessage")
            .WithSummary("Find a message by any of its ids and see its timeline")
            .WithDescription("id: CXone's idOnExternalPlatform (of a message, thread or end user) or the platform's message id. " +
                             "Answers each channel of your tenants where the id is known, with the message's hops (received, queued, sent, accepted, failed, dead-lettered, replayed).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/dead-letters", ListDeadLetters)
            .WithName("ListDeadLetters")
            .WithSummary("A page of dead letters with CXone's or the platform's error")
            .WithDescription("Paged on the server: pageSize 1–500 (default 50), cursor = the previous page's nextCursor, order newest|oldest, " +
                             "optional tenantId (one of yours) and channelId. total counts every page.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapPost("/dead-letters/{id}/replay", ReplayOne)
            .WithName("ReplayDeadLetter")
            .WithSummary("Put one dead letter back on the inbound queue")
            .WithDescription("Recorded in the admin audit. A dead letter already replayed, of another tenant, or being replayed right now answers 404.")
            .RequireAuthorization(AdminPolicies.Change)
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/dead-letters/replay", ReplayMany)
            .WithName("ReplayDeadLetters")
            .WithSummary("Put several dead letters back on the inbound queue")
            .WithDescription($"Body: {{\"ids\": [...]}} (1–{OperationsDesk.MaxReplayIds}). Answers which were replayed and which not (gone, not yours, or being replayed right now). Each replay is audited.")
            .RequireAuthorization(AdminPolicies.Change)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapGet("/connectors", ConnectorHealth)
            .WithName("GetConnectorHealth")
            .WithSummary("Each connector's answer and each platform account's last success and failure");
        return api;
    }

    public static async Task<Results<Ok<MessageSearch>, ProblemHttpResult>> FindMessage(
        [FromQuery] string? id, HttpContext http, OperationsDesk desk, CancellationToken cancellationToken)
    {
        try
        {
            var matches = await desk.FindMessageAsync(AdminUser.From(http.User)!, id, cancellationToken);
            return matches.Count == 0
                ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No message of your tenants has this id (or its timeline has expired).",
                    extensions: new Dictionary<string, object?> { ["field"] = "id" })
                : TypedResults.Ok(new MessageSearch(id!.Trim(), matches));
        }
        catch (AdminQueryException e)
        {
            return e.ToProblem();
        }
    }

    public static async Task<Results<Ok<DeadLetterPage>, ProblemHttpResult>> ListDeadLetters(
        [FromQuery] string? pageSize, [FromQuery] string? cursor, [FromQuery] string? order, [FromQuery] string? tenantId, [FromQuery] string? channelId,
        HttpContext http, OperationsDesk desk, CancellationToken cancellationToken)
    {
        try
        {
            // Read as text, so "abc" is a problem naming pageSize rather than binding's bare 400.
            int? size = null;
            if (pageSize is { Length: > 0 })
            {
                size = int.TryParse(pageSize, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                    ? parsed
                    : throw new AdminQueryException("pageSize", "pageSize must be a whole number.");
            }

            return TypedResults.Ok(await desk.ListDeadLettersAsync(AdminUser.From(http.User)!, new DeadLetterQuery(size, cursor, order, tenantId, channelId), cancellationToken));
        }
        catch (AdminQueryException e)
        {
            return e.ToProblem();
        }
    }

    public static async Task<Results<Ok<ReplayResult>, ProblemHttpResult>> ReplayOne(
        string id, HttpContext http, OperationsDesk desk, CancellationToken cancellationToken)
    {
        try
        {
            var result = await desk.ReplayAsync(AdminUser.From(http.User)!, [id], cancellationToken);
            return result.Replayed.Count == 1
                ? TypedResults.Ok(result)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                    detail: "No such dead letter in your tenants: replayed already, trimmed, or being replayed right now.");
        }
        catch (AdminQueryException e)
        {
            return e.ToProblem();
        }
    }

    public static async Task<Results<Ok<ReplayResult>, ProblemHttpResult>> ReplayMany(
        [FromBody] ReplayRequest? request, HttpContext http, OperationsDesk desk, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await desk.ReplayAsync(AdminUser.From(http.User)!, request?.Ids ?? [], cancellationToken));
        }
        catch (AdminQueryException e)
        {
            return e.ToProblem();
        }
    }

    public static async Task<Ok<ConnectorHealthView>> ConnectorHealth(HttpContext http, OperationsDesk desk, CancellationToken cancellationToken) =>
        TypedResults.Ok(await desk.ConnectorHealthAsync(AdminUser.From(http.User)!, cancellationToken));
}
