using Byoc.Conversations.V1;
using Byoc.Edge.Cxone;
using Byoc.Edge.Identity;
using Byoc.Edge.OpenApi;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Byoc.Edge.Apis;

public static class AdminApi
{
    /// <summary>Administration of integrations; for an Admin (API key, bearer or admin session).</summary>
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/admin")
            .WithTags("Admin")
            .RequireAuthorization(Byoc.Edge.Admin.AdminPolicies.Change)
            .WithSecurityScheme(EdgeOpenApi.AdminKeyScheme)
            .AddEndpointFilter<ConversationsErrors>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapPost("/integrations/{integrationId}/client-secret", RotateClientSecret)
            .WithName("RotateClientSecret")
            .WithSummary("Generate or rotate an integration's client secret")
            .WithDescription("Conversations issues a new secret; the previous one keeps working for the overlap (default from Edge:Admin:DefaultSecretOverlap). " +
                             "The secret is shown once. An Idempotency-Key header makes a retried call (within 24 h) return the same secret; " +
                             "the same key with another overlap answers 409.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithExamples(CxoneSamples.RotateClientSecretRequest, (StatusCodes.Status200OK, CxoneSamples.ClientSecretIssued));

        api.MapPost("/integrations/{integrationId}/client-secret/revoke-previous", RevokePreviousClientSecret)
            .WithName("RevokePreviousClientSecret")
            .WithSummary("End the previous client secret's overlap now, and every token issued to it")
            .WithDescription("After a rotation: the previous secret stops working and callbacks with tokens CXone obtained with it answer 401 " +
                             $"(within {SecretGenerations.CacheFor.TotalSeconds:0} s on every replica), so CXone fetches a token with the current secret.");

        api.MapGet("/channel-refusals", ListChannelRefusals)
            .WithName("ListChannelRefusals")
            .WithSummary("Points of contact CXone refused")
            .WithDescription("Each provisioned channel CXone refused for good, with CXone's status (0: Byoc's configuration made the call " +
                             "impossible) and answer. Such a point of contact does not exist at CXone, so agents never see its customers.");
        return api;
    }

    public static async Task<Ok<ChannelRefusalList>> ListChannelRefusals(Operations.OperationsClient operations, CancellationToken cancellationToken)
    {
        var answer = await operations.ListChannelRefusalsAsync(new ListChannelRefusalsRequest(), cancellationToken: cancellationToken);
        return TypedResults.Ok(new ChannelRefusalList([.. answer.Refusals.Select(r => new ChannelRefused(r.ChannelId, r.IntegrationId, r.StatusCode, r.Body))]));
    }

    public static async Task<Ok<ClientSecretIssued>> RotateClientSecret(
        string integrationId,
        [FromBody] RotateClientSecretRequest? request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        Integrations.IntegrationsClient integrations,
        IOptions<AdminOptions> options,
        SecretGenerations generations,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        var overlap = request?.PreviousSecretOverlapMinutes is { } minutes ? TimeSpan.FromMinutes(Math.Max(0, minutes)) : options.Value.DefaultSecretOverlap;
        var issued = await integrations.IssueClientSecretAsync(new IssueClientSecretRequest
        {
            IdempotencyKey = string.IsNullOrEmpty(idempotencyKey) ? $"admin:rotate:{Guid.NewGuid():N}" : $"admin:rotate:{idempotencyKey}",
            IntegrationId = integrationId,
            PreviousSecretOverlap = Duration.FromTimeSpan(overlap),
        }, cancellationToken: cancellationToken);
        generations.Forget(integrationId);
        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new ClientSecretIssued(issued.ClientId, issued.ClientSecret, issued.PreviousSecretValidUntil?.ToDateTimeOffset()));
    }

    public static async Task<Ok<PreviousSecretRevoked>> RevokePreviousClientSecret(
        string integrationId,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        Integrations.IntegrationsClient integrations,
        SecretGenerations generations,
        CancellationToken cancellationToken)
    {
        var revoked = await integrations.RevokePreviousClientSecretAsync(new RevokePreviousClientSecretRequest
        {
            IdempotencyKey = string.IsNullOrEmpty(idempotencyKey) ? $"admin:revoke:{Guid.NewGuid():N}" : $"admin:revoke:{idempotencyKey}",
            IntegrationId = integrationId,
        }, cancellationToken: cancellationToken);
        generations.Forget(integrationId);
        return TypedResults.Ok(new PreviousSecretRevoked(revoked.CurrentGeneration));
    }
}
