extern alias edge;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Byoc.Edge.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using AdminUser = edge::Byoc.Edge.Admin.AdminUser;

namespace Byoc.Edge.Tests.Admin;

/// <summary>
/// An Edge whose admin sign-in also takes a test user from headers (name, role, tenants), as Entra ID would give
/// them, so the admin API's tests can sign in as a Viewer or an Admin of one tenant without an identity provider.
/// </summary>
public static class HeaderAdmins
{
    public const string Scheme = "TestAdmin";
    public const string RoleHeader = "X-Test-Admin-Role";
    public const string NameHeader = "X-Test-Admin-Name";
    public const string TenantsHeader = "X-Test-Admin-Tenants";

    public const string Admin = "Byoc.Admin";
    public const string Viewer = "Byoc.Viewer";

    public static void AddTo(IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, Handler>(Scheme, null);
        services.PostConfigure<PolicySchemeOptions>(edge::Byoc.Edge.Admin.AdminExtensions.SchemeName, o =>
        {
            var original = o.ForwardDefaultSelector;
            o.ForwardDefaultSelector = context => context.Request.Headers.ContainsKey(RoleHeader) ? Scheme : original?.Invoke(context);
        });
    }

    /// <summary>A client of <paramref name="edge"/> signed in as <paramref name="name"/> with the role, for the tenants (none: every tenant).</summary>
    public static HttpClient Client(EdgeFactory edge, string role, string name, params string[] tenants)
    {
        var client = edge.CreateClient();
        client.DefaultRequestHeaders.Add(RoleHeader, role);
        client.DefaultRequestHeaders.Add(NameHeader, name);
        if (tenants.Length > 0)
        {
            client.DefaultRequestHeaders.Add(TenantsHeader, string.Join(',', tenants));
        }

        return client;
    }

    private sealed class Handler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var claims = new List<Claim>
            {
                new(ClaimTypes.Name, Request.Headers[NameHeader].ToString()),
                new(ClaimTypes.Role, Request.Headers[RoleHeader].ToString()),
                new(AdminUser.ViaClaim, "entra"),
            };
            claims.AddRange(Request.Headers[TenantsHeader].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => new Claim(AdminUser.TenantClaim, t)));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, HeaderAdmins.Scheme)), HeaderAdmins.Scheme)));
        }

        protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
            Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden").ExecuteAsync(Context);
    }
}

/// <summary>The Edge with <see cref="HeaderAdmins"/>, once for every admin API test of the collection.</summary>
public abstract class AdminApiTest(EdgeHost host) : EdgeTest(host)
{
    protected EdgeFactory AdminEdge => Host.Shared(nameof(HeaderAdmins), h => h.Create(services: HeaderAdmins.AddTo));

    protected HttpClient As(string role, string name, params string[] tenants) => HeaderAdmins.Client(AdminEdge, role, name, tenants);

    protected HttpClient AdminOfA() => As(HeaderAdmins.Admin, "ada@a.example", TestData.TenantA);

    protected HttpClient ViewerOfA() => As(HeaderAdmins.Viewer, "victor@a.example", TestData.TenantA);

    protected HttpClient AdminOfB() => As(HeaderAdmins.Admin, "bob@b.example", TestData.TenantB);
}
