using Byoc.Conversations.Identity;
using Byoc.Conversations.Operations;
using Byoc.Conversations.V1;
using Grpc.Core;

namespace Byoc.Conversations.Grpc;

/// <summary>Timelines, ID map lookups, dead letters and refused points of contact, for operators and the admin UI.</summary>
public sealed class OperationsService(
    MessageTimeline timeline,
    IdMap ids,
    DeadLetters deadLetters,
    Registry.ChannelRegistrations registrations,
    MessageFinder messages,
    ConnectorHealthCheck connectorHealth)
    : V1.Operations.OperationsBase
{
    public override async Task<GetTimelineResponse> GetTimeline(GetTimelineRequest request, ServerCallContext context) =>
        new() { Hops = { await timeline.ReadAsync(request.ChannelId, request.MessageId) } };

    public override async Task<LookupIdResponse> LookupId(LookupIdRequest request, ServerCallContext context)
    {
        switch (request.IdCase)
        {
            case LookupIdRequest.IdOneofCase.CxoneId:
                var entry = await ids.FindByCxoneIdAsync(request.ChannelId, request.CxoneId);
                return entry is { } found
                    ? new LookupIdResponse { Found = true, CxoneId = request.CxoneId, PlatformId = new PlatformId { Kind = found.Kind, ExternalId = found.NativeId } }
                    : new LookupIdResponse { Found = false };
            case LookupIdRequest.IdOneofCase.PlatformId:
                var cxoneId = await ids.FindByPlatformIdAsync(request.ChannelId, request.PlatformId.Kind, request.PlatformId.ExternalId);
                return cxoneId is null
                    ? new LookupIdResponse { Found = false }
                    : new LookupIdResponse { Found = true, CxoneId = cxoneId, PlatformId = request.PlatformId };
            default:
                throw new RpcException(new Status(StatusCode.InvalidArgument, "give cxone_id or platform_id"));
        }
    }

    public override async Task<ListDeadLettersResponse> ListDeadLetters(ListDeadLettersRequest request, ServerCallContext context) =>
        new() { DeadLetters = { await deadLetters.ListAsync(request.Limit) } };

    public override async Task<ReplayDeadLettersResponse> ReplayDeadLetters(ReplayDeadLettersRequest request, ServerCallContext context)
    {
        var result = await deadLetters.ReplayAsync(request.Ids, request.Scope);
        return new()
        {
            Replayed = result.ReplayedLetters.Count,
            ReplayedIds = { result.ReplayedLetters.Select(d => d.Id) },
            NotReplayedIds = { result.NotReplayedIds },
            ReplayedDeadLetters = { result.ReplayedLetters },
        };
    }

    public override async Task<ListDeadLetterPageResponse> ListDeadLetterPage(ListDeadLetterPageRequest request, ServerCallContext context)
    {
        var page = await deadLetters.PageAsync(request.Scope, request.PageSize, request.Cursor, request.Order, request.ChannelId);
        return new() { DeadLetters = { page.DeadLetters }, NextCursor = page.NextCursor, Total = page.Total };
    }

    public override async Task<FindMessageResponse> FindMessage(FindMessageRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Id))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "id is required"), new Metadata { { "field", "id" } });
        }

        return new() { Matches = { await messages.FindAsync(request.Scope, request.Id.Trim()) } };
    }

    public override Task<GetConnectorHealthResponse> GetConnectorHealth(GetConnectorHealthRequest request, ServerCallContext context) =>
        connectorHealth.CheckAsync(request.Scope, context.CancellationToken);

    public override Task<ListChannelRefusalsResponse> ListChannelRefusals(ListChannelRefusalsRequest request, ServerCallContext context) =>
        Task.FromResult(new ListChannelRefusalsResponse
        {
            Refusals =
            {
                registrations.Refused.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new ChannelRefusal
                {
                    ChannelId = r.Key,
                    IntegrationId = r.Value.IntegrationId,
                    StatusCode = r.Value.StatusCode,
                    Body = r.Value.Body,
                }),
            },
        });
}
