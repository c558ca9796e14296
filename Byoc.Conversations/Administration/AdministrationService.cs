using Byoc.Administration.V1;
using Byoc.Deployment;
using Grpc.Core;

namespace Byoc.Conversations.Administration;

/// <summary>Edge → Conversations: the admin API's changes (administration.proto), each within the caller's tenant scope.</summary>
public sealed class AdministrationService(PointsOfContact pointsOfContact, IntegrationCredentials credentials)
    : Byoc.Administration.V1.Administration.AdministrationBase
{
    public override async Task<ListIntegrationsResponse> ListIntegrations(ListIntegrationsRequest request, ServerCallContext context) =>
        new() { Integrations = { await credentials.ListAsync(AdminScope.From(request.Scope)) } };

    public override Task<ListPointsOfContactResponse> ListPointsOfContact(ListPointsOfContactRequest request, ServerCallContext context) =>
        pointsOfContact.ListAsync(AdminScope.From(request.Scope), request);

    public override async Task<GetPointOfContactResponse> GetPointOfContact(GetPointOfContactRequest request, ServerCallContext context) =>
        new() { PointOfContact = await pointsOfContact.GetAsync(AdminScope.From(request.Scope), request.ChannelId) };

    public override Task<CreatePointOfContactResponse> CreatePointOfContact(CreatePointOfContactRequest request, ServerCallContext context) =>
        pointsOfContact.CreateAsync(AdminScope.From(request.Scope), request, context.CancellationToken);

    public override async Task<UpdatePointOfContactResponse> UpdatePointOfContact(UpdatePointOfContactRequest request, ServerCallContext context) =>
        new() { PointOfContact = await pointsOfContact.UpdateAsync(AdminScope.From(request.Scope), request, context.CancellationToken) };

    public override async Task<DeletePointOfContactResponse> DeletePointOfContact(DeletePointOfContactRequest request, ServerCallContext context) =>
        new() { TenantId = await pointsOfContact.DeleteAsync(AdminScope.From(request.Scope), request.ChannelId, context.CancellationToken) };

    public override Task<CheckPointOfContactResponse> CheckPointOfContact(CheckPointOfContactRequest request, ServerCallContext context) =>
        pointsOfContact.CheckAsync(AdminScope.From(request.Scope), request.ChannelId, context.CancellationToken);

    public override Task<ListIconsResponse> ListIcons(ListIconsRequest request, ServerCallContext context) =>
        Task.FromResult(new ListIconsResponse { Icons = { CxoneIcons.All } });

    public override Task<IssueClientCredentialsResponse> IssueClientCredentials(IssueClientCredentialsRequest request, ServerCallContext context) =>
        credentials.IssueAsync(AdminScope.From(request.Scope), request);

    public override Task<RevokeClientCredentialsResponse> RevokeClientCredentials(RevokeClientCredentialsRequest request, ServerCallContext context) =>
        credentials.RevokeAsync(AdminScope.From(request.Scope), request.IntegrationId);

    public override async Task<SetCxoneAccessResponse> SetCxoneAccess(SetCxoneAccessRequest request, ServerCallContext context) =>
        new() { Integration = await credentials.SetCxoneAccessAsync(AdminScope.From(request.Scope), request) };
}
