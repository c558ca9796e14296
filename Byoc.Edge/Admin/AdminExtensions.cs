using Byoc.Edge.Admin.Components;
using Byoc.Edge.Admin.Credentials;
using Byoc.Edge.Admin.PointsOfContact;
using Byoc.Edge.Admin.Operations;
using Byoc.Edge.Admin.Readiness;
using Byoc.Edge.Cxone;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.FluentUI.AspNetCore.Components;

namespace Byoc.Edge.Admin;

/// <summary>The admin UI (Blazor, interactive server, FluentUI) and the admin REST API it mirrors, under <c>/admin</c>.</summary>
public static class AdminExtensions
{
    /// <summary>Chooses how an admin request signs in: API key, bearer token, or the admin session cookie.</summary>
    public const string SchemeName = "Admin";
    public const string CookieScheme = "AdminCookie";
    public const string CookieName = "__Host-byoc-admin";

    public static WebApplicationBuilder AddAdmin(this WebApplicationBuilder builder)
    {
        var entra = AdminEntra.IsConfigured(builder.Configuration);
        var authentication = builder.Services.AddAuthentication()
            .AddPolicyScheme(SchemeName, "Admin", o => o.ForwardDefaultSelector = context => SelectScheme(context.Request, entra));
        if (entra)
        {
            authentication.AddAdminEntraBearer(builder.Configuration);
        }

        authentication
            .AddScheme<AuthenticationSchemeOptions, AdminApiKeyAuthentication>(AdminApiKeyAuthentication.SchemeName, null)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.Path = "/";
                o.ExpireTimeSpan = TimeSpan.FromMinutes(30);
                o.SlidingExpiration = false;
                o.LoginPath = "/admin/sign-in";
                o.AccessDeniedPath = "/admin/denied";
                // The API answers problem details; only pages are sent to sign in.
                o.Events.OnRedirectToLogin = context => IsApi(context.Request)
                    ? Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "Sign in to the admin UI, or send an admin bearer token or a valid X-Api-Key.").ExecuteAsync(context.HttpContext)
                    : Redirect(context);
                o.Events.OnRedirectToAccessDenied = context => IsApi(context.Request)
                    ? Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "This needs the Byoc.Admin role.").ExecuteAsync(context.HttpContext)
                    : Redirect(context);
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicies.Read, p => p.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser().RequireRole(AdminRoles.Admin, AdminRoles.Viewer))
            .AddPolicy(AdminPolicies.Change, p => p.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser().RequireRole(AdminRoles.Admin));

        builder.Services.AddSingleton<AdminAudit>();
        builder.Services.AddSingleton<PublicUrls>();
        builder.Services.AddScoped<PointOfContactAdmin>();
        builder.Services.AddScoped<CredentialsAdmin>();
        builder.Services.AddOperationsAdmin();
        builder.Services.AddReadinessCheck();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        return builder;
    }

    public static WebApplication MapAdmin(this WebApplication app)
    {
        // The Edge's default scheme is CXone's bearer: admin pages and the Blazor circuit sign in with the admin schemes.
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated != true && IsAdminSurface(context.Request.Path))
            {
                var result = await context.AuthenticateAsync(SchemeName);
                if (result.Succeeded)
                {
                    context.User = result.Principal;
                }
            }

            await next(context);
        });
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

        var api = app.MapGroup("/admin/api")
            .WithTags("Admin")
            .RequireAuthorization(AdminPolicies.Read)
            .AddEndpointFilter<ConversationsErrors>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapAdminAuditApi();
        api.MapPointsOfContactApi();
        api.MapCredentialsApi();
        api.MapOperationsApi();
        api.MapReadinessApi();
        return app;
    }

    private static RouteGroupBuilder MapAdminAuditApi(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", async (HttpContext context, AdminAudit audit, int? count, CancellationToken cancellationToken) =>
                TypedResults.Ok(await audit.ReadAsync(AdminUser.From(context.User)!, Math.Clamp(count ?? 100, 1, 1000), cancellationToken)))
            .WithName("ReadAdminAudit")
            .WithSummary("The newest admin changes the caller may see: who, how signed in, what, on which target, when");
        return api;
    }

    // X-Api-Key for automation; a bearer is an Entra token (never CXone's: its tokens are for the callbacks only) and is
    // refused when Entra ID is not configured; anything else is the browser's session cookie.
    private static string SelectScheme(HttpRequest request, bool entra)
    {
        if (request.Headers.ContainsKey(AdminApiKeyAuthentication.HeaderName))
        {
            return AdminApiKeyAuthentication.SchemeName;
        }

        if (request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return entra ? AdminEntra.BearerScheme : AdminApiKeyAuthentication.SchemeName;
        }

        return CookieScheme;
    }

    // Only a browser's page navigation is sent to sign in; an API call (or anything not asking for HTML) gets a problem.
    private static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/admin/api") || !HttpMethods.IsGet(request.Method)
        || !request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    private static bool IsAdminSurface(PathString path) => path.StartsWithSegments("/admin") || path.StartsWithSegments("/_blazor");

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
