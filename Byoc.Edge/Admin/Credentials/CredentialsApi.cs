using Byoc.Conversations.V1;
using Byoc.Edge.Cxone;
using Byoc.Edge.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Byoc.Edge.Admin.Credentials;

public sealed record GenerateCredentialsRequest(bool? NewClientId);

/// <summary><c>/admin/api/integrations</c>: the credentials page, for automation (and the former <c>/admin/...</c> endpoints).</summary>
public static class CredentialsApi
{
    public static RouteGroupBuilder MapCredentialsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/channel-refusals", ListChannelRefusals)
            .WithName("ListChannelRefusals")
            .WithSummary("Points of contact CXone refused")
            .WithDescription("Each provisioned channel of the caller's tenants CXone refused for good, with CXone's status (0: Byoc's configuration made the call " +
                             "impossible) and answer. Such a point of contact does not exist at CXone, so agents never see its customers.");

        var group = api.MapGroup("/integrations").AddEndpointFilter<AdminProblems>().WithSecurityScheme(EdgeOpenApi.AdminKeyScheme)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/", List)
            .WithName("ListIntegrations")
            .WithSummary("Integrations of the caller's tenants: which secrets are set (never their values) and the values to type into CXone's BYOC form");

        group.MapPost("/{integrationId}/credentials", Generate)
            .RequireAuthorization(AdminPolicies.Change)
            .WithName("GenerateClientCredentials")
            .WithSummary("Generate a new client id and secret (shown once); the old pair stops working at once")
            .WithDescription("{\"newClientId\": false} keeps the client id and replaces only the secret, at once.");

        group.MapPost("/{integrationId}/client-secret", RotateClientSecret)
            .RequireAuthorization(AdminPolicies.Change)
            .WithName("RotateClientSecret")
            .WithSummary("Rotate an integration's client secret: the previous one keeps working for the overlap")
            .WithDescription("Default overlap from Edge:Admin:DefaultSecretOverlap. The secret is shown once. An Idempotency-Key header makes a retried call (within 24 h) " +
                             "return the same secret; the same key with another overlap answers 409.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithExamples(CxoneSamples.RotateClientSecretRequest, (StatusCodes.Status200OK, CxoneSamples.ClientSecretIssued));

        group.MapPost("/{integrationId}/client-secret/revoke-previous", RevokePreviousClientSecret)
            .RequireAuthorization(AdminPolicies.Change)
            .WithName("RevokePreviousClientSecret")
            .WithSummary("End the previous client secret's overlap now, and every token issued to it")
            .WithDescription("After a rotation: the previous secret stops working and callbacks with tokens CXone obtained with it answer 401 " +
                             $"(within {Identity.SecretGenerations.CacheFor.TotalSeconds:0} s on every replica), so CXone fetches a token with the current secret.");

        group.MapPost("/{integrationId}/credentials/revoke", Revoke)
            .RequireAuthorization(AdminPolicies.Change)
            .WithName("RevokeClientCredentials")
            .WithSummary("Revoke every client secret: tokens already issued stop working; CXone cannot call until new credentials are generated");

        group.MapPut("/{integrationId}/cxone-access", SetCxoneAccess)
            .RequireAuthorization(AdminPolicies.Change)
            .WithName("SetCxoneAccess")
            .WithSummary("Set the CXone app client and access key Conversations calls CXone with (write-only; empty fields stay)");
        return api;
    }

    private static AdminUser User(HttpContext http) => AdminUser.From(http.User) ?? throw new UnauthorizedAccessException();

    public static async Task<Ok<IReadOnlyList<IntegrationView>>> List(HttpContext http, CredentialsAdmin admin, CancellationToken cancellationToken) =>
        TypedResults.Ok(await admin.ListAsync(User(http), PublicUrls.RequestBase(http.Request), cancellationToken));

    public static async Task<Ok<IssuedCredentials>> Generate(HttpContext http, CredentialsAdmin admin, string integrationId, [FromBody] GenerateCredentialsRequest? request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken)
    {
        var issued = await admin.IssueAsync(User(http), integrationId, newClientId: request?.NewClientId ?? true, TimeSpan.Zero, idempotencyKey, cancellationToken);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(issued);
    }

    public static async Task<Ok<ClientSecretIssued>> RotateClientSecret(HttpContext http, CredentialsAdmin admin, string integrationId, [FromBody] RotateClientSecretRequest? request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken)
    {
        var overlap = request?.PreviousSecretOverlapMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : (TimeSpan?)null;
        var issued = await admin.IssueAsync(User(http), integrationId, newClientId: false, overlap, idempotencyKey, cancellationToken);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new ClientSecretIssued(issued.ClientId, issued.ClientSecret, issued.PreviousSecretValidUntil));
    }

    public static async Task<Ok<PreviousSecretRevoked>> RevokePreviousClientSecret(HttpContext http, CredentialsAdmin admin, string integrationId,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken) =>
        TypedResults.Ok(new PreviousSecretRevoked(await admin.RevokePreviousAsync(User(http), integrationId, idempotencyKey, cancellationToken)));

    public static async Task<Ok<CredentialsRevoked>> Revoke(HttpContext http, CredentialsAdmin admin, string integrationId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await admin.RevokeAsync(User(http), integrationId, cancellationToken));

    public static async Task<Ok<IntegrationView>> SetCxoneAccess(HttpContext http, CredentialsAdmin admin, string integrationId, [FromBody] CxoneAccessChange body, CancellationToken cancellationToken)
    {
        // Empty fields stay: a body with none given (unknown ones only, or {}) changes nothing and is a client's mistake.
        if (new[] { body.AppClientId, body.AppClientSecret, body.AccessKeyId, body.AccessKeySecret }.All(string.IsNullOrEmpty))
        {
            throw new AdminInputException(new AdminProblem(StatusCodes.Status400BadRequest, "Nothing to change",
                "Give at least one of appClientId, appClientSecret, accessKeyId or accessKeySecret.", null, null, null));
        }

        return TypedResults.Ok(await admin.SetCxoneAccessAsync(User(http), PublicUrls.RequestBase(http.Request), integrationId, body, cancellationToken));
    }

    public static async Task<Ok<ChannelRefusalList>> ListChannelRefusals(HttpContext http, CredentialsAdmin admin, Byoc.Conversations.V1.Operations.OperationsClient operations, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ChannelRefusalList(await admin.RefusalsAsync(User(http), operations, cancellationToken)));
}
