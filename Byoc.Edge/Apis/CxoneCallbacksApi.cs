using System.Security.Claims;
using Byoc.Conversations.V1;
using Byoc.Edge.Cxone;
using Byoc.Edge.Extensions;
using Byoc.Edge.Identity;
using Byoc.Edge.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Byoc.Edge.Apis;

/// <summary>What a CXone handler needs, injected as one parameter.</summary>
public sealed record CxoneCallbackServices(Outbound.OutboundClient Outbound, CxoneRequestReader Reader, IOptions<EdgeOptions> Options);

public static class CxoneCallbacksApi
{
    /// <summary>
    /// The calls CXone makes on the integration box (cxone-contract §2.2–2.5). Each needs an access token from the
    /// token endpoint (401 with WWW-Authenticate otherwise) and is answered by Conversations over gRPC.
    /// </summary>
    public static RouteGroupBuilder MapCxoneCallbacksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(string.Empty)
            .WithTags("CXone callbacks")
            .RequireAuthorization(EdgeExtensions.CxoneCallerPolicy)
            .WithSecurityScheme(EdgeOpenApi.BearerScheme)
            .AddEndpointFilter<ConversationsErrors>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);

        api.MapPost("/1.0/posts/{postId}/messages", ReplyToPost)
            .WithName("ReplyToPost")
            .WithSummary("Agent reply (legacy posts API)")
            .WithDescription("Used when the integration's \"Use DFO 3.0 Outbound API for replies\" box is off (recommended for a first go-live). " +
                             "The thread is post.idOnExternalPlatform, else thread.idOnExternalPlatform, else {postId}; each is looked up as " +
                             "the id Byoc gave CXone, then as the platform's thread id.")
            .Accepts<LegacyReplyRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithExamples(CxoneSamples.LegacyReplyRequest, (StatusCodes.Status200OK, CxoneSamples.LegacyReplyResponse));

        api.MapPost("/2.0/channel/{channelId}/outbound", SendOutbound)
            .WithName("SendOutbound")
            .WithSummary("Agent reply or agent-initiated message (DFO 3.0)")
            .WithDescription("Used when the DFO 3.0 box is on. Recipients may come as endUserRecipients or recipients. " +
                             "A repeated identical request returns the first answer and is not sent twice. The answer carries the " +
                             "message id at the top as well (idOnExternalPlatform), beside message, thread, endUserIdentities and recipients.")
            .Accepts<OutboundRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithExamples(CxoneSamples.OutboundRequest, (StatusCodes.Status200OK, CxoneSamples.OutboundResponse));

        api.MapPost("/1.0/channel/{channelId}/recipients/validation", ValidateRecipients)
            .WithName("ValidateRecipients")
            .WithSummary("Validate the recipients of an agent-initiated message")
            .WithDescription("200 lets CXone send; 400 (CXone's own error shape) stops it. The channel's connector decides.")
            .Accepts<RecipientsValidationRequest>("application/json")
            .WithExamples(CxoneSamples.RecipientsValidationRequest,
                (StatusCodes.Status200OK, CxoneSamples.RecipientsValid),
                (StatusCodes.Status400BadRequest, CxoneSamples.RecipientsValidationFailure));

        api.MapPost("/1.0/channel/{channelId}/thread/{threadId}/sender-action", SendSenderAction)
            .WithName("SendSenderAction")
            .WithSummary("Agent typing indicator")
            .WithDescription("senderAction.action (or a top-level action) is isTypingOn or isTypingOff, in any casing; forwarded to " +
                             "the channel's connector. Always 204 once authenticated: a body not understood is logged and dropped.")
            // Any content type reaches the handler (routing would answer 415 otherwise): typing is never an error.
            .Accepts<SenderActionRequest>("application/json", "*/*")
            .WithMetadata(new NeverAnError())
            .WithExamples(CxoneSamples.SenderActionRequest);

        return api;
    }

    public static async Task<Results<Ok<LegacyReplyResponse>, ProblemHttpResult>> ReplyToPost(
        string postId, HttpRequest request, ClaimsPrincipal user, [AsParameters] CxoneCallbackServices services, CancellationToken cancellationToken)
    {
        var (body, problem) = await services.Reader.ReadAsync(request, CxoneJson.Default.LegacyReplyRequest, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        var reply = body.Value;
        var content = CxoneMapping.ToContent(reply.MessageContent, reply.Content, reply.Attachments);
        if (IsEmpty(content))
        {
            return Undeliverable();
        }

        var integrationId = user.IntegrationId();
        var channelId = reply.Post?.ChannelId ?? string.Empty;
        var delivered = await services.Outbound.DeliverAsync(new DeliverRequest
        {
            IdempotencyKey = IdempotencyKeys.ForCxoneRequest("legacy-reply", integrationId, channelId, postId, body.Raw),
            IntegrationId = integrationId,
            ChannelId = channelId,
            // Conversations looks it up as CXone's thread id, then as the platform's (§5).
            ThreadId = reply.ThreadId(postId),
            Content = content,
            ReplyToMessageId = reply.ReplyToMessageIdOnExternalPlatform ?? reply.ReplyToMessageId ?? string.Empty,
            RawRequest = RawRequest.ForTimeline(body.Raw, services.Options.Value.RawRequestCapBytes),
            Contract = DeliveryContract.LegacyPosts,
        }, cancellationToken: cancellationToken);
        return TypedResults.Ok(new LegacyReplyResponse(delivered.MessageId));
    }

    public static async Task<Results<Ok<OutboundResponse>, ProblemHttpResult>> SendOutbound(
        string channelId, HttpRequest request, ClaimsPrincipal user, Dfo3Observations observations,
        [AsParameters] CxoneCallbackServices services, CancellationToken cancellationToken)
    {
        var (body, problem) = await services.Reader.ReadAsync(request, CxoneJson.Default.OutboundRequest, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        var outbound = body.Value;
        var content = CxoneMapping.ToContent(outbound.MessageContent, null, outbound.Attachments);
        if (IsEmpty(content))
        {
            return Undeliverable();
        }

        var integrationId = user.IntegrationId();
        var threadId = outbound.Thread?.IdOnExternalPlatform ?? string.Empty;
        var recipients = outbound.EndUserRecipients is { Count: > 0 } ? outbound.EndUserRecipients : outbound.Recipients;
        // An id CXone sent for the request keys it; without one the key is the content's, good for CXone's quick
        // retries only (Conversations keeps it a few seconds), so the agent's second identical "Thanks!" is sent.
        var requestId = IdempotencyKeys.CxoneRequestId(request.Headers, body.Raw);
        var deliver = new DeliverRequest
        {
            IdempotencyKey = requestId is null
                ? IdempotencyKeys.ForCxoneRequest("dfo3-outbound", integrationId, channelId, threadId, body.Raw)
                : IdempotencyKeys.ForCxoneRequest("dfo3-outbound-id", integrationId, channelId, string.Empty, System.Text.Encoding.UTF8.GetBytes(requestId)),
            IdempotencyKeyDerived = requestId is null,
            IntegrationId = integrationId,
            ChannelId = channelId,
            ThreadId = threadId,
            Content = content,
            ReplyToMessageId = outbound.ReplyToMessage?.IdOnExternalPlatform ?? string.Empty,
            RawRequest = RawRequest.ForTimeline(body.Raw, services.Options.Value.RawRequestCapBytes),
            Contract = DeliveryContract.Dfo3Outbound,
        };
        deliver.Recipients.Add(CxoneMapping.ToRecipients(recipients));
        var delivered = await services.Outbound.DeliverAsync(deliver, cancellationToken: cancellationToken);
        var answer = CxoneMapping.ToOutboundResponse(delivered, threadId, recipients);
        observations.Observe(integrationId, channelId, body.Raw, answer);
        return TypedResults.Ok(answer);
    }

    public static async Task<Results<Ok<RecipientsValid>, BadRequest<RecipientsValidationFailure>, ProblemHttpResult>> ValidateRecipients(
        string channelId, HttpRequest request, ClaimsPrincipal user, [AsParameters] CxoneCallbackServices services, CancellationToken cancellationToken)
    {
        var (body, problem) = await services.Reader.ReadAsync(request, CxoneJson.Default.RecipientsValidationRequest, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        var recipients = CxoneMapping.ToRecipients(body.Value.EndUserRecipients is { Count: > 0 } ? body.Value.EndUserRecipients : body.Value.Recipients).ToList();
        if (recipients.Count == 0)
        {
            // Nothing to send to is a refusal CXone shows the agent, in CXone's own shape.
            return TypedResults.BadRequest(new RecipientsValidationFailure("No recipient", RecipientsValidationFailure.OutboundValidationFailed,
                [new RecipientValidationError(["endUserRecipients"], "At least one recipient with an idOnExternalPlatform is required")]));
        }

        var validation = new ValidateRecipientsRequest { IntegrationId = user.IntegrationId(), ChannelId = channelId };
        validation.Recipients.Add(recipients);
        var answer = await services.Outbound.ValidateRecipientsAsync(validation, cancellationToken: cancellationToken);
        return answer.Valid ? TypedResults.Ok(new RecipientsValid()) : TypedResults.BadRequest(CxoneMapping.ToValidationFailure(answer));
    }

    /// <summary>
    /// Never an error for a typing indicator (§5): an unreadable body is logged and answered 204, and so is a call
    /// Conversations refuses or cannot take (<see cref="ConversationsErrors"/> logs it; CXone would only retry a
    /// stale indicator). Only a missing or invalid bearer is refused, by the policy, with 401.
    /// </summary>
    public static async Task<NoContent> SendSenderAction(
        string channelId, string threadId, HttpRequest request, ClaimsPrincipal user, SenderActions senderActions,
        [AsParameters] CxoneCallbackServices services, CancellationToken cancellationToken)
    {
        var (body, problem) = await services.Reader.ReadAsync(request, CxoneNodeJson.Default.JsonNode, cancellationToken);
        if (body is null)
        {
            senderActions.NotUnderstood(problem?.ProblemDetails.Title ?? "unreadable body", channelId, threadId, null);
            return TypedResults.NoContent();
        }

        if (senderActions.Read(body.Raw, channelId, threadId) is not { } action)
        {
            return TypedResults.NoContent();
        }

        var integrationId = user.IntegrationId();
        await services.Outbound.SendSenderActionAsync(new SendSenderActionRequest
        {
            IdempotencyKey = IdempotencyKeys.ForCxoneRequest("sender-action", integrationId, channelId, threadId, body.Raw),
            IntegrationId = integrationId,
            ChannelId = channelId,
            ThreadId = threadId,
            Action = action,
        }, cancellationToken: cancellationToken);
        return TypedResults.NoContent();
    }

    private static bool IsEmpty(Byoc.Messages.V1.MessageContent content) => string.IsNullOrWhiteSpace(content.Text) && content.Attachments.Count == 0;

    private static ProblemHttpResult Undeliverable() => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest, title: "Nothing to deliver", detail: "The message has neither text nor attachments.");
}
