using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;

namespace Byoc.Edge.Admin.SignIn;

/// <summary>The ways to sign in that this Edge offers (the sign-in page lists them).</summary>
public sealed record AdminSignInMethods(bool Entra, bool Cxone, bool Development);

/// <summary>
/// Signing in to the admin UI when it is opened directly: Entra ID (OpenID Connect through Microsoft.Identity.Web), the
/// admin's own CXone account (CXone as OpenID Connect provider, users mapped to roles per tenant by configuration), and
/// in Development only a local sign-in. Each ends in the admin session cookie.
/// </summary>
public static class AdminSignIn
{
    public const string EntraScheme = "AdminEntraOidc";
    public const string CxoneScheme = "AdminCxoneOidc";
    public const string EntraCallbackPath = "/admin/sign-in/entra/callback";
    public const string CxoneCallbackPath = "/admin/sign-in/cxone/callback";

    public static void AddAdminSignIn(this WebApplicationBuilder builder, AuthenticationBuilder authentication, bool entra)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddOptions<AdminSignInOptions>().BindConfiguration(AdminSignInOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.DevelopmentSignIn != true || development,
                $"{AdminSignInOptions.Section}:DevelopmentSignIn can be switched on only in Development: it signs anyone in without a password.")
            .Validate(o => !o.Cxone.IsConfigured || o.Cxone.Authority!.Scheme == Uri.UriSchemeHttps || development,
                $"{AdminSignInOptions.Section}:Cxone:Authority must be https outside Development.")
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(AdminSignInOptions.Section).Get<AdminSignInOptions>() ?? new AdminSignInOptions();

        if (entra)
        {
            authentication.AddMicrosoftIdentityWebApp(builder.Configuration.GetSection(AdminEntra.Section), openIdConnectScheme: EntraScheme, cookieScheme: null);
            builder.Services.AddOptions<OpenIdConnectOptions>(EntraScheme).Configure<IOptionsMonitor<AdminSignInOptions>, TimeProvider>((o, signIn, time) =>
            {
                o.SignInScheme = AdminExtensions.CookieScheme;
                o.CallbackPath = EntraCallbackPath;
                var validated = o.Events.OnTokenValidated;
                o.Events.OnTokenValidated = async context =>
                {
                    await validated(context);
                    if (context.Result is not null)
                    {
                        return;
                    }

                    var admin = AdminEntra.ToAdmin(context.Principal!, AdminExtensions.CookieScheme);
                    if (AdminUser.From(admin) is null)
                    {
                        Refuse(context, "no-role");
                        return;
                    }

                    context.Principal = admin;
                    Expire(context.Properties!, signIn.CurrentValue.SessionLifetime, time);
                };
                o.Events.OnRemoteFailure = RemoteFailure;
            });
        }

        var cxone = options.Cxone.IsConfigured;
        if (cxone)
        {
            authentication.AddOpenIdConnect(CxoneScheme, "CXone", o =>
            {
                o.Authority = options.Cxone.Authority!.ToString().TrimEnd('/');
                o.ClientId = options.Cxone.ClientId;
                o.ClientSecret = options.Cxone.ClientSecret;
                o.ResponseType = "code";
                o.ResponseMode = "query";
                o.UsePkce = true;
                o.Scope.Clear();
                o.Scope.Add("openid");
                o.Scope.Add("email");
                o.Scope.Add("profile");
                o.CallbackPath = CxoneCallbackPath;
                o.SignInScheme = AdminExtensions.CookieScheme;
                // Plain http only for the local sandbox (start-up refuses it outside Development).
                o.RequireHttpsMetadata = options.Cxone.Authority.Scheme == Uri.UriSchemeHttps;
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = false;
                o.SaveTokens = false;
                o.Events.OnRemoteFailure = RemoteFailure;
            });
            builder.Services.AddOptions<OpenIdConnectOptions>(CxoneScheme).Configure<IOptionsMonitor<AdminSignInOptions>, TimeProvider>((o, signIn, time) =>
                o.Events.OnTokenValidated = context =>
                {
                    var settings = signIn.CurrentValue;
                    var principal = context.Principal!;
                    // CXone's ID token names the tenant; be liberal in the claim's name.
                    var tenant = principal.FindFirstValue("tenantId") ?? principal.FindFirstValue("tenant_id") ?? principal.FindFirstValue("tid");
                    var email = principal.FindFirstValue("email") ?? principal.FindFirstValue("preferred_username");
                    var role = tenant is null ? null : settings.Cxone.RoleOf(tenant, email);
                    if (tenant is null || role is null)
                    {
                        Refuse(context, "cxone-not-allowed");
                        return Task.CompletedTask;
                    }

                    var name = principal.FindFirstValue("name") ?? email ?? principal.FindFirstValue("sub") ?? "CXone user";
                    context.Principal = AdminSession.Principal(name, "cxone", role, [tenant], new Claim(ClaimTypes.Email, email ?? string.Empty));
                    Expire(context.Properties!, settings.SessionLifetime, time);
                    return Task.CompletedTask;
                });
        }

        builder.Services.AddSingleton(new AdminSignInMethods(entra, cxone, development && options.DevelopmentSignIn != false));
    }

    public static IEndpointRouteBuilder MapAdminSignIn(this IEndpointRouteBuilder app)
    {
        var methods = app.ServiceProvider.GetRequiredService<AdminSignInMethods>();
        var signIn = app.MapGroup("/admin/sign-in").AllowAnonymous().ExcludeFromDescription();
        if (methods.Entra)
        {
            signIn.MapGet("/entra", (string? returnUrl) => Results.Challenge(new AuthenticationProperties { RedirectUri = AdminSession.LocalAdminPath(returnUrl) }, [EntraScheme]))
                .WithName("AdminSignInEntra").WithSummary("Signs in with Entra ID (OpenID Connect).");
        }

        if (methods.Cxone)
        {
            signIn.MapGet("/cxone", (string? returnUrl) => Results.Challenge(new AuthenticationProperties { RedirectUri = AdminSession.LocalAdminPath(returnUrl) }, [CxoneScheme]))
                .WithName("AdminSignInCxone").WithSummary("Signs in with the admin's CXone account (OpenID Connect).");
        }

        if (methods.Development)
        {
            signIn.MapPost("/development", async ([FromForm] DevelopmentSignIn form, HttpContext context, IOptionsMonitor<AdminSignInOptions> options, TimeProvider time) =>
                {
                    var role = form.Role is AdminRoles.Admin or AdminRoles.Viewer ? form.Role : AdminRoles.Viewer;
                    var tenants = (form.Tenants ?? string.Empty).Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    var name = string.IsNullOrWhiteSpace(form.Name) ? "Developer" : form.Name.Trim();
                    await AdminSession.SignInAsync(context, AdminSession.Principal(name, "development", role, tenants), options.CurrentValue.SessionLifetime, time);
                    return Results.Redirect(AdminSession.LocalAdminPath(form.ReturnUrl));
                })
                .WithName("AdminSignInDevelopment").WithSummary("Development only: signs in with the chosen role and tenants, no password.");
        }

        app.MapPost("/admin/sign-out", async (HttpContext context, IAntiforgery antiforgery) =>
            {
                var session = await context.AuthenticateAsync(AdminExtensions.CookieScheme);
                // The form's token was made for the signed-in admin: checked against that session, so that another
                // site cannot end it (a form post without a field binds nothing, so nothing checks it by itself).
                if (session.Principal is { } admin)
                {
                    context.User = admin;
                }

                if (!await antiforgery.IsRequestValidAsync(context))
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The sign-out form has expired",
                        detail: "Reload the page and sign out from it.");
                }

                await context.SignOutAsync(AdminExtensions.CookieScheme);
                // A session opened from CXone returns to CXone ("Done"); any other goes back to the sign-in page.
                var back = session.Principal?.FindFirstValue(AdminSession.BackUrlClaim);
                return Results.Redirect(back is { Length: > 0 } ? back : "/admin/sign-in?signedOut=true");
            })
            .AllowAnonymous()
            .WithName("AdminSignOut").WithSummary("Ends the admin session; a session opened from CXone returns to CXone's backUrl.")
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>The Development sign-in form. Every field may be missing: a FluentUI field left empty posts nothing.</summary>
    public sealed class DevelopmentSignIn
    {
        public string? Role { get; init; }

        public string? Tenants { get; init; }

        public string? Name { get; init; }

        public string? ReturnUrl { get; init; }
    }

    private static void Expire(AuthenticationProperties properties, TimeSpan lifetime, TimeProvider time)
    {
        properties.IsPersistent = false;
        properties.IssuedUtc = time.GetUtcNow();
        properties.ExpiresUtc = time.GetUtcNow() + lifetime;
        properties.AllowRefresh = false;
    }

    private static void Refuse(TokenValidatedContext context, string error)
    {
        context.Response.Redirect($"/admin/sign-in?error={error}");
        context.HandleResponse();
    }

    // A cancelled or failed sign-in (the provider's error, a replayed callback) lands on the sign-in page, never a 500.
    private static Task RemoteFailure(RemoteFailureContext context)
    {
        context.Response.Redirect("/admin/sign-in?error=failed");
        context.HandleResponse();
        return Task.CompletedTask;
    }
}
