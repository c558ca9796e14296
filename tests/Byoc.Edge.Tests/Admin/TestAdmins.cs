extern alias edge;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Byoc.Edge.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Byoc.Edge.Tests.Admin;

/// <summary>
/// An Edge whose admin sign-in also takes <c>X-Test-Admin: role;tenant;tenant</c> (a user of the named tenants, or of
/// every tenant when none is named), so tests can be a Viewer or a one-tenant Admin without a real identity provider.
/// </summary>
public static class TestAdmins
{
    public const string Header = "X-Test-Admin";
    private const string SchemeName = "TestAdmin";

    public static EdgeFactory CreateEdge(EdgeHost host, Action<IServiceCollection>? services = null) =>
        host.Create(services: s =>
        {
            s.AddAuthentication().AddScheme<AuthenticationSchemeOptions, Handler>(SchemeName, null);
            s.PostConfigure<PolicySchemeOptions>(edge::Byoc.Edge.Admin.AdminExtensions.SchemeName, o =>
            {
                var inner = o.ForwardDefaultSelector;
                o.ForwardDefaultSelector = context => context.Request.Headers.ContainsKey(Header) ? SchemeName : inner?.Invoke(context);
            });
            services?.Invoke(s);
        });

    public static HttpClient As(this HttpClient client, string role, params string[] tenants)
    {
        client.DefaultRequestHeaders.Remove(Header);
        client.DefaultRequestHeaders.Add(Header, string.Join(';', [role, .. tenants]));
        return client;
    }

    private sealed class Handler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var parts = Request.Headers[Header].ToString().Split(';');
            var claims = new List<Claim>
            {
                new(ClaimTypes.Name, $"{parts[0]}-of-{(parts.Length > 1 ? string.Join('+', parts[1..]) : "all")}@test"),
                new(ClaimTypes.Role, parts[0]),
                new(edge::Byoc.Edge.Admin.AdminUser.ViaClaim, "entra"),
            };
            claims.AddRange(parts[1..].Select(t => new Claim(edge::Byoc.Edge.Admin.AdminUser.TenantClaim, t)));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName)));
        }
    }
}
