using Byoc.Edge.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Byoc.Edge.Admin.PointsOfContact;

/// <summary><c>/admin/api/points-of-contact</c>: what the points-of-contact pages do, for automation.</summary>
public static class PointsOfContactApi
{
    public static RouteGroupBuilder MapPointsOfContactApi(this RouteGroupBuilder api)
    {
        api.MapGet("/icons", async (PointOfContactAdmin admin, CancellationToken cancellationToken) => TypedResults.Ok(await admin.IconsAsync(cancellationToken)))
            .WithName("ListCxoneIcons")
            .WithSummary("CXone's externalPlatformIcon values; a point of contact needs one");

        var group = api.MapGroup("/points-of-contact").AddEndpointFilter<AdminProblems>().WithSecurityScheme(EdgeOpenApi.AdminKeyScheme)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/", List)
            .WithName("ListPointsOfContact")
            .WithSummary("Points of contact of the caller's tenants, by name, paged")
            .WithDescription("pageSize 1–200 (default 50); filter matches name, channel id, connector or account; nextCursor gives the next page.");

        group.MapGet("/{channelId}", Get)
            .WithName("GetPointOfContact")
            .WithSummary("One point of contact; its settings by name only, and the webhook URL to give the platform");

        group.MapPost("/", Create)
            .RequireAuthorization(AdminPolicies.Change)
            .WithName("CreatePointOfContact")
            .WithSummary("Create a point of contact: registered at CXone (POST /dfo/3.0/channels) and read back")
            .WithDescription("The icon must be one of /admin/api/icons. Settings (tokens, webhook secrets) are write-only. A CXone refusal answers 502 with cxoneStatus and cxoneBody.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway);

        group.MapPatch("/{channelId}", Update)
            .RequireAuthorization(AdminPolicies.Change)
            .WithName("UpdatePointOfContact")
            .WithSummary("Change name, icon (sent to CXone again) or settings (given ones replace, clearSettings removes)")
            .ProducesProblem(StatusCodes.Status502BadGateway);

        group.MapDelete("/{channelId}", Delete)
            .RequireAuthorization(AdminPolicies.Change)
            .WithName("DeletePointOfContact")
            .WithSummary("Delete at CXone first (404 counts as gone), then here")
            .ProducesProblem(StatusCodes.Status502BadGateway);

        group.MapPost("/{channelId}/check", Check)
            .WithName("CheckPointOfContact")
            .WithSummary("Ask the platform whether the account's credentials work, and CXone whether it lists the channel");
        return api;
    }

    private static AdminUser User(HttpContext http) => AdminUser.From(http.User) ?? throw new UnauthorizedAccessException();

    public static async Task<Ok<PointOfContactPage>> List(HttpContext http, PointOfContactAdmin admin, string? cursor, int? pageSize, string? filter, string? integrationId, CancellationToken cancellationToken)
    {
        // Conversations reads 0 as "not given" (gRPC has no null), so a pageSize=0 the caller wrote is refused here.
        if (pageSize is < 1)
        {
            throw new AdminInputException(AdminProblem.Invalid("pageSize", "pageSize must be between 1 and 200."));
        }

        return TypedResults.Ok(await admin.ListAsync(User(http), PublicUrls.RequestBase(http.Request), cursor, pageSize, filter, integrationId, cancellationToken));
    }

    public static async Task<Ok<PointOfContactView>> Get(HttpContext http, PointOfContactAdmin admin, string channelId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await admin.GetAsync(User(http), PublicUrls.RequestBase(http.Request), channelId, cancellationToken));

    public static async Task<Created<PointOfContactView>> Create(HttpContext http, PointOfContactAdmin admin, [FromBody] NewPointOfContact body, CancellationToken cancellationToken)
    {
        var created = await admin.CreateAsync(User(http), PublicUrls.RequestBase(http.Request), body, cancellationToken);
        return TypedResults.Created($"/admin/api/points-of-contact/{Uri.EscapeDataString(created.ChannelId)}", created);
    }

    public static async Task<Ok<PointOfContactView>> Update(HttpContext http, PointOfContactAdmin admin, string channelId, [FromBody] PointOfContactChange body, CancellationToken cancellationToken)
    {
        // A body with none of the fields (unknown ones only, or {}) is a client's mistake, not a change to audit; so are
        // settings that are all empty (an empty write-only value leaves the setting as it is).
        if (body.Name is null && body.Icon is null && body.Settings?.Values.Any(v => v.Length > 0) != true && body.ClearSettings is not { Count: > 0 })
        {
            throw new AdminInputException(new AdminProblem(StatusCodes.Status400BadRequest, "Nothing to change",
                "Give at least one of name, icon, settings or clearSettings.", null, null, null));
        }

        return TypedResults.Ok(await admin.UpdateAsync(User(http), PublicUrls.RequestBase(http.Request), channelId, body, cancellationToken));
    }

    public static async Task<NoContent> Delete(HttpContext http, PointOfContactAdmin admin, string channelId, CancellationToken cancellationToken)
    {
        await admin.DeleteAsync(User(http), channelId, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<PointOfContactCheck>> Check(HttpContext http, PointOfContactAdmin admin, string channelId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await admin.CheckAsync(User(http), channelId, cancellationToken));
}
