using System.Globalization;
using System.Net;
using System.Security.Claims;
using Byoc.Conversations.V1;
using Byoc.Edge.Admin;
using Byoc.Edge.Admin.SignIn;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Byoc.Edge.Apis;

/// <summary>
/// The pages CXone opens from its Points of Contact Digital page with a one-time token: the integration's Action URL
/// (<c>/settings</c>: Conversations verifies the token with CXone; a valid one starts a short admin session of that
/// tenant and opens <c>/admin</c>), and its Reconnect and Remove URLs. A bad, used or expired token shows a clear page
/// with the way back to CXone (<c>backUrl</c>), never an error page.
/// </summary>
public static partial class SettingsApi
{
    /// <summary>The per-address limit of the anonymous settings page (each opening costs a call to CXone).</summary>
    public const string RateLimitPolicy = "settings-page";

    /// <summary>
    /// Per client address, a fixed window of <c>Edge:Settings:PermitsPerMinute</c> (default 10) openings; more answer
    /// 429 with Retry-After.
    /// </summary>
    public static WebApplicationBuilder AddSettingsRateLimit(this WebApplicationBuilder builder)
    {
        var permits = builder.Configuration.GetValue("Edge:Settings:PermitsPerMinute", 10);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(RateLimitPolicy, context => System.Threading.RateLimiting.RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new System.Threading.RateLimiting.FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            limiter.OnRejected = (context, _) =>
            {
                var wait = context.Lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapSettingsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/settings", async (HttpContext context, string? userId, string? brandId, string? token, string? apiHost, string? backUrl,
                Integrations.IntegrationsClient integrations, IConfiguration configuration, IOptionsMonitor<AdminSignInOptions> signIn, TimeProvider time, CancellationToken cancellationToken) =>
            {
                var back = BackUrl(backUrl, configuration);
                // Read as text: binding's own 400 for "abc" has an empty body for a browser, which asks for HTML.
                if (NotANumber(context.Request, back, ("userId", userId), ("brandId", brandId)) is { } notANumber)
                {
                    return notANumber;
                }

                var (answer, refused) = await VerifyAsync(new CxoneLink(Number(userId), Number(brandId), token, apiHost, backUrl), back, integrations, cancellationToken);
                if (answer is null)
                {
                    return refused!;
                }

                // A short session, an Admin of this CXone tenant only; "Done" returns to CXone's backUrl.
                var principal = AdminSession.Principal(ActionUrlUserName(answer), ActionUrlVia, AdminRoles.Admin, [answer.TenantId],
                    [.. back is null ? Array.Empty<Claim>() : [new Claim(AdminSession.BackUrlClaim, back.AbsoluteUri)],
                     new Claim(ClaimTypes.Email, answer.UserEmail), new Claim(CxoneUserClaim, Number(userId)!.Value.ToString(CultureInfo.InvariantCulture)),
                     new Claim(CxoneBrandClaim, Number(brandId)!.Value.ToString(CultureInfo.InvariantCulture))]);
                await AdminSession.SignInAsync(context, principal, signIn.CurrentValue.ActionUrlSessionLifetime, time);
                return Results.Redirect("/admin");
            })
            .RequireRateLimiting(RateLimitPolicy)
            .WithName("CxoneSettingsPage")
            .WithSummary("The settings page CXone opens (Action URL) with a one-time token: starts a short admin session of that tenant.")
            .AllowAnonymous()
            .ExcludeFromDescription();

        app.MapMethods("/settings/reconnect", [HttpMethods.Get, HttpMethods.Post], (HttpContext context, IServiceProvider services, CancellationToken cancellationToken) =>
                PointOfContactActionAsync(context, "reconnect", services, cancellationToken))
            .RequireRateLimiting(RateLimitPolicy)
            .WithName("CxoneReconnectUrl")
            .WithSummary("CXone's Reconnect URL: re-checks a point of contact's platform credentials.")
            .AllowAnonymous()
            .DisableAntiforgery()
            .ExcludeFromDescription();

        app.MapMethods("/settings/remove", [HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete], (HttpContext context, IServiceProvider services, CancellationToken cancellationToken) =>
                PointOfContactActionAsync(context, "remove", services, cancellationToken))
            .RequireRateLimiting(RateLimitPolicy)
            .WithName("CxoneRemoveUrl")
            .WithSummary("CXone's Remove URL: deletes a point of contact and its CXone channel.")
            .AllowAnonymous()
            .DisableAntiforgery()
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>How an admin session opened from CXone signed in (<see cref="AdminUser.Via"/>).</summary>
    public const string ActionUrlVia = "cxone-action-url";
    public const string CxoneUserClaim = "byoc_cxone_user";
    public const string CxoneBrandClaim = "byoc_cxone_brand";

    private sealed record CxoneLink(int? UserId, int? BrandId, string? Token, string? ApiHost, string? BackUrl);

    private static string ActionUrlUserName(VerifySettingsTokenResponse answer) =>
        answer.UserName is { Length: > 0 } name ? name : answer.UserEmail is { Length: > 0 } email ? email : "CXone admin";

    // The one-time token checked by Conversations with the one CXone the link names: the answer, or the page to show.
    private static async Task<(VerifySettingsTokenResponse? Answer, IResult? Refused)> VerifyAsync(
        CxoneLink link, Uri? back, Integrations.IntegrationsClient integrations, CancellationToken cancellationToken)
    {
        if (link.UserId is null || link.BrandId is null || string.IsNullOrEmpty(link.Token))
        {
            return (null, ErrorPage(StatusCodes.Status400BadRequest, "This link is incomplete", "The settings page needs userId, brandId and token, as CXone sends them. Open it again from CXone's Points of Contact page.", back));
        }

        if (CxoneHost(link.ApiHost, link.BackUrl) is not { } host)
        {
            return (null, ErrorPage(StatusCodes.Status400BadRequest, "Which CXone?", "The link names no CXone: it needs apiHost, or a backUrl on the CXone it was opened from.", back));
        }

        VerifySettingsTokenResponse answer;
        try
        {
            answer = await integrations.VerifySettingsTokenAsync(
                new VerifySettingsTokenRequest { BrandId = link.BrandId.Value, UserId = link.UserId.Value, Token = link.Token, CxoneHost = host },
                cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            // Checked against the registry before any call to a CXone: an unknown host is never sent the token.
            return (null, ErrorPage(StatusCodes.Status400BadRequest, "Unknown CXone", $"Byoc serves no integration of the CXone at {host}. ({e.Status.Detail})", back));
        }
        catch (RpcException)
        {
            // Unavailable, a deadline, or anything unexpected: the page cannot be shown now, and may be later.
            return (null, ErrorPage(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable", "Byoc cannot check the sign-in now; open the page again from CXone.", back));
        }

        return answer.Valid && answer.TenantId.Length > 0
            ? (answer, null)
            : (null, ErrorPage(StatusCodes.Status401Unauthorized, "This link has expired",
                "CXone did not confirm this sign-in: the link was already used or has expired. Open the settings again from CXone's Points of Contact page.", back));
    }

    // CXone's Reconnect and Remove calls are not public (cxone-contract §2.6): accept the link's fields from the query,
    // a form or a JSON body, log the request as it came (no token), verify like /settings, then act.
    private static async Task<IResult> PointOfContactActionAsync(HttpContext context, string action, IServiceProvider services, CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SettingsApi).FullName!);
        var fields = await CxoneActionRequest.ReadAsync(context.Request, cancellationToken);
        LogCxoneAction(logger, action, context.Request.Method, fields.Redacted);

        var configuration = services.GetRequiredService<IConfiguration>();
        var back = BackUrl(fields.Get("backUrl"), configuration);
        var link = new CxoneLink(fields.GetInt("userId"), fields.GetInt("brandId"), fields.Get("token"), fields.Get("apiHost"), fields.Get("backUrl"));
        var (answer, refused) = await VerifyAsync(link, back, services.GetRequiredService<Integrations.IntegrationsClient>(), cancellationToken);
        if (answer is null)
        {
            return refused!;
        }

        var channelId = fields.ChannelId();
        if (channelId is null)
        {
            return ErrorPage(StatusCodes.Status400BadRequest, "Which point of contact?", "CXone's request names no channel (channelId).", back);
        }

        var user = new AdminUser(ActionUrlUserName(answer), ActionUrlVia, AdminRoles.Admin, new HashSet<string>(StringComparer.Ordinal) { answer.TenantId });
        var actions = services.GetRequiredService<IPointOfContactActions>();
        var result = action == "remove"
            ? await actions.DeleteAsync(channelId, user, cancellationToken)
            : await actions.CheckAsync(channelId, user, cancellationToken);
        LogCxoneActionDone(logger, action, channelId, result.Status);
        var title = (action, result.Succeeded) switch
        {
            ("remove", true) => "Point of contact removed",
            ("remove", false) => "The point of contact was not removed",
            (_, true) => "Point of contact reconnected",
            _ => "The point of contact was not reconnected",
        };
        return WantsHtml(context.Request)
            ? ErrorPage(result.Status, title, result.Message, back)
            : Results.Json(new CxoneActionAnswer(channelId, result.Succeeded, result.Message), statusCode: result.Status);
    }

    public sealed record CxoneActionAnswer(string ChannelId, bool Succeeded, string Message);

    private static int? Number(string? value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : null;

    // A link field that is there but not a whole number: a clear page for a browser, a problem naming the field otherwise.
    private static IResult? NotANumber(HttpRequest request, Uri? back, params (string Field, string? Value)[] fields)
    {
        foreach (var (field, value) in fields)
        {
            if (!string.IsNullOrEmpty(value) && Number(value) is null)
            {
                var detail = $"{field} must be a whole number, as CXone sends it. Open the settings again from CXone's Points of Contact page.";
                return request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
                    ? ErrorPage(StatusCodes.Status400BadRequest, "This link is not valid", detail, back)
                    : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid link", detail: detail,
                        extensions: new Dictionary<string, object?> { ["field"] = field, ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } });
            }
        }

        return null;
    }

    private static bool WantsHtml(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) || request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    // Only back to CXone (or hosts configured under Edge:Settings:BackUrlHosts): the page must not be an open redirect.
    // nicecxone-gov.com is CXone's FedRAMP area (na2).
    private static Uri? BackUrl(string? backUrl, IConfiguration configuration)
    {
        if (!Uri.TryCreate(backUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            return null;
        }

        var hosts = configuration.GetSection("Edge:Settings:BackUrlHosts").Get<string[]>() is { Length: > 0 } configured
            ? configured
            : ["*.niceincontact.com", "*.nice-incontact.com", "*.nicecxone-gov.com"];
        var allowed = hosts.Any(h => h.StartsWith("*.", StringComparison.Ordinal)
            ? url.Host.EndsWith(h[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(url.Host, h, StringComparison.OrdinalIgnoreCase));
        return allowed && (url.Scheme == "https" || url.IsLoopback) ? url : null;
    }

    // apiHost as CXone sends it (a host, or a URL), else the host the browser is sent back to; as an authority
    // (host, and port when not the default), which Conversations maps to its integrations.
    private static string? CxoneHost(string? apiHost, string? backUrl)
    {
        if (!string.IsNullOrWhiteSpace(apiHost))
        {
            var candidate = apiHost.Contains("://", StringComparison.Ordinal) ? apiHost : "https://" + apiHost;
            return Uri.TryCreate(candidate, UriKind.Absolute, out var api) && api.AbsolutePath == "/" && api.Query.Length == 0 && api.UserInfo.Length == 0
                ? api.Authority
                : null;
        }

        return Uri.TryCreate(backUrl, UriKind.Absolute, out var back) && back.Scheme is "https" or "http" ? back.Authority : null;
    }

    // A clear page, never an error page: what happened, and the way back to CXone when the link gave a valid one.
    private static IResult ErrorPage(int status, string title, string text, Uri? back) =>
        Results.Content($$"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>Byoc: {{WebUtility.HtmlEncode(title)}}</title>
            <style>body { font-family: "Segoe UI", system-ui, sans-serif; margin: 0; } header { background: #0f3d5c; color: #fff; padding: .6rem 1rem; font-weight: 600; }
            main { max-width: 40rem; margin: 2rem auto; padding: 0 1rem; } a.back { display: inline-block; margin-top: 1rem; padding: .5rem 1rem; background: #0f6cbd; color: #fff; border-radius: 4px; text-decoration: none; }</style></head>
            <body><header>Byoc</header><main><h1>{{WebUtility.HtmlEncode(title)}}</h1><p data-testid="error">{{WebUtility.HtmlEncode(text)}}</p>
            {{(back is null ? "<p>Close this tab and open the settings again from CXone.</p>" : $"<a class=\"back\" data-testid=\"back-to-cxone\" href=\"{WebUtility.HtmlEncode(back.AbsoluteUri)}\">Back to CXone</a>")}}
            </main></body></html>
            """, "text/html; charset=utf-8", statusCode: status);

    [LoggerMessage(EventId = 4110, EventName = "CxonePointOfContactAction", Level = LogLevel.Information,
        Message = "CXone's {Action} URL called with {Method}: {Request}")]
    private static partial void LogCxoneAction(ILogger logger, string action, string method, string request);

    [LoggerMessage(EventId = 4111, EventName = "CxonePointOfContactActionDone", Level = LogLevel.Information,
        Message = "CXone's {Action} of point of contact {ChannelId} answered {Status}")]
    private static partial void LogCxoneActionDone(ILogger logger, string action, string channelId, int status);
}
