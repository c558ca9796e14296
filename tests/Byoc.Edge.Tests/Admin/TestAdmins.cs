using Byoc.Edge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Byoc.Edge.Tests.Admin;

/// <summary>An Edge of the shared host with services of a test's own, and clients signed in as an Entra user of some tenants.</summary>
public static class TestAdmins
{
    public static EdgeFactory CreateEdge(EdgeHost host, Action<IServiceCollection>? services = null) => host.Create(services: services);

    /// <summary>Signs the client in as an Entra user with <paramref name="role"/> of <paramref name="tenants"/> (none: every tenant).</summary>
    public static HttpClient As(this HttpClient client, string role, params string[] tenants)
    {
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminTokens.Bearer(role, tenants));
        return client;
    }
}
