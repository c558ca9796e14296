using Byoc.Edge.Admin.Components;
using Byoc.Edge.Admin.SignIn;
using Byoc.Edge.Admin.Credentials;
using Byoc.Edge.Admin.PointsOfContact;
using Byoc.Edge.Admin.Operations;
using Byoc.Edge.Admin.Readiness;
using Byoc.Edge.Cxone;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.FluentUI.AspNetCore.Components;

namespace Byoc.Edge.Admin;

/// <summary>The admin UI (Blazor, interactive server, FluentUI) and the admin REST API it mirrors, under <c>/admin</c>.</summary>
public static class AdminExtensions
{
    /// <summary>Chooses how an admin request signs in: API key, bearer token, or the admin session cookie.</summary>
    public const string SchemeName = "Admin";
    public const string CookieScheme = "AdminCookie";
    public const string CookieName = "__Host-byoc-admin";

    /// <summary>The header a cookie-authenticated change to the admin API carries its anti-forgery token in.</summary>
    public const string AntiforgeryHeader = "X-Byoc-Antiforgery";

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
                // Lax, not Strict: CXone opens the Action URL from its own site, and the session cookie set there must
                // come along on the redirect to /admin (a top-level navigation). Changes are guarded by anti-forgery.
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.Path = "/";
                // Each sign-in sets its own expiry (AdminSignInOptions); this is only the fallback.
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

        builder.AddAdminSignIn(authentication, entra);
        builder.Services.AddAntiforgery(o => o.HeaderName = AntiforgeryHeader);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IPointOfContactActions, PointOfContactActions>();

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

            // The session cookie is sent by the browser on its own: a change made with it must prove it comes from
            // the admin UI (API key and bearer callers set their header themselves, so a forged page cannot).
            if (context.Request.Path.StartsWithSegments("/admin/api") && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
                && !HttpMethods.IsOptions(context.Request.Method) && SelectScheme(context.Request, entra: true) == CookieScheme
                && context.User.Identity?.AuthenticationType == CookieScheme
                && !await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
            {
                await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Anti-forgery token missing or invalid",
                    detail: $"A change made with the admin session cookie needs the {AntiforgeryHeader} header from GET /admin/api/antiforgery.",
                    extensions: new Dictionary<string, object?> { ["field"] = AntiforgeryHeader }).ExecuteAsync(context);
                return;
            }

            await next(context);
        });
        // A charset .NET cannot decode would fail the body's binding with a 500: answer what the caller must change.
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/admin/api") && UnknownCharset(context.Request.ContentType) is { } charset)
            {
                await Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported charset",
                    detail: $"The charset '{Shorten(charset)}' is not supported; send JSON as UTF-8.").ExecuteAsync(context);
                return;
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
        api.MapGet("/antiforgery", (HttpContext context, IAntiforgery antiforgery) =>
                TypedResults.Ok(new AntiforgeryToken(AntiforgeryHeader, antiforgery.GetAndStoreTokens(context).RequestToken!)))
            .WithName("GetAdminAntiforgeryToken")
            .WithSummary($"The token a change made with the admin session cookie sends in {AntiforgeryHeader} (API key and bearer calls need none)");
        api.MapPointsOfContactApi();
        api.MapCredentialsApi();
        api.MapOperationsApi();
        api.MapReadinessApi();
        app.MapAdminSignIn();
        return app;
    }

    public sealed record AntiforgeryToken(string HeaderName, string Token);

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

    private static string? UnknownCharset(string? contentType)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media) || media.Charset is not { Length: > 0 } charset)
        {
            return null;
        }

        try
        {
            _ = System.Text.Encoding.GetEncoding(charset.Value!.Trim('"'));
            return null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return charset.Value;
        }
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static bool IsAdminSurface(PathString path) => path.StartsWithSegments("/admin") || path.StartsWithSegments("/_blazor");

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
