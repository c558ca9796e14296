extern alias edge;
using edge::Byoc.Edge.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Byoc.Edge.Tests.Admin;

/// <summary>
/// A change endpoint of the tests' own under /admin/api (the Change policy), answering who made it; add it with
/// <c>Host.Create(services: s => s.AddSingleton&lt;IStartupFilter, TestChangeEndpoint&gt;())</c>. It is chosen before routing,
/// so the Edge's own authentication, authorization and anti-forgery run on it as on any admin change.
/// </summary>
public sealed class TestChangeEndpoint : IStartupFilter
{
    public const string Path = "/admin/api/tests/change";

    private static readonly Endpoint Endpoint = new(
        context => Results.Json(AdminUser.From(context.User)).ExecuteAsync(context),
        new EndpointMetadataCollection(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute(AdminPolicies.Change)),
        "Tests: a change");

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, following) =>
        {
            if (context.Request.Path == Path && HttpMethods.IsPost(context.Request.Method))
            {
                context.SetEndpoint(Endpoint);
            }

            return following(context);
        });
        next(app);
    };
}
