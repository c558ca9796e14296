using System.Net;
using System.Text;
using Byoc.Conversations.V1;
using Grpc.Core;

namespace Byoc.Edge.Apis;

/// <summary>
/// The page CXone opens from its Points of Contact Digital page (the integration's Action URL) with a one-time
/// token: Conversations verifies the token with CXone; a valid one shows who signed in and the tenant's
/// integrations and points of contact, an invalid one sends the browser back to CXone (<c>backUrl</c>).
/// Editing (points of contact, secrets, platform credentials) comes with the admin UI.
/// </summary>
public static class SettingsApi
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
        app.MapGet("/settings", async (int? userId, int? brandId, string? token, string? apiHost, string? backUrl, Integrations.IntegrationsClient integrations, IConfiguration configuration, CancellationToken cancellationToken) =>
            {
                var back = BackUrl(backUrl, configuration);
                if (userId is null || brandId is null || string.IsNullOrEmpty(token))
                {
                    return Refused(back, "The settings page needs userId, brandId and token, as CXone sends them.");
                }

                if (CxoneHost(apiHost, backUrl) is not { } host)
                {
                    return ErrorPage(StatusCodes.Status400BadRequest, "Which CXone?", "The link names no CXone: it needs apiHost, or a backUrl on the CXone it was opened from.");
                }

                VerifySettingsTokenResponse answer;
                try
                {
                    answer = await integrations.VerifySettingsTokenAsync(
                        new VerifySettingsTokenRequest { BrandId = brandId.Value, UserId = userId.Value, Token = token, CxoneHost = host },
                        cancellationToken: cancellationToken);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
                {
                    // Checked against the registry before any call to a CXone: an unknown host is never sent the token.
                    return ErrorPage(StatusCodes.Status400BadRequest, "Unknown CXone", $"Byoc serves no integration of the CXone at {host}. ({e.Status.Detail})");
                }
                catch (RpcException)
                {
                    // Unavailable, a deadline, or anything unexpected: the page cannot be shown now, and may be later.
                    return ErrorPage(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable", "Byoc cannot check the sign-in now; open the page again from CXone.");
                }

                return answer.Valid ? Results.Content(Page(answer, back), "text/html; charset=utf-8") : Refused(back, "CXone did not confirm this sign-in (the link is used or expired).");
            })
            .RequireRateLimiting(RateLimitPolicy)
            .WithName("CxoneSettingsPage")
            .WithSummary("The settings page CXone opens (Action URL) with a one-time token.")
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }

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

    private static IResult ErrorPage(int status, string title, string text) =>
        Results.Content($$"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Byoc settings: {{WebUtility.HtmlEncode(title)}}</title></head>
            <body style="font-family: system-ui, sans-serif; margin: 2rem"><h1>{{WebUtility.HtmlEncode(title)}}</h1><p data-testid="error">{{WebUtility.HtmlEncode(text)}}</p></body></html>
            """, "text/html; charset=utf-8", statusCode: status);

    private static IResult Refused(Uri? back, string reason) =>
        back is not null ? Results.Redirect(back.AbsoluteUri) : Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: reason);

    private static string Page(VerifySettingsTokenResponse answer, Uri? back)
    {
        static string E(string value) => WebUtility.HtmlEncode(value);
        var body = new StringBuilder();
        foreach (var integration in answer.Integrations)
        {
            body.Append($"<h2>{E(integration.Name)}</h2><p>Integration <code>{E(integration.IntegrationId)}</code>, client id <code data-testid=\"client-id\">{E(integration.ClientId)}</code></p>")
                .Append("<table><thead><tr><th>Point of contact</th><th>Connector</th><th>Platform account</th><th>Icon</th></tr></thead><tbody>");
            foreach (var channel in integration.Channels)
            {
                body.Append($"<tr data-testid=\"point-of-contact\"><td>{E(channel.Name)}</td><td>{E(channel.Connector)}</td><td>{E(channel.AccountId)}</td><td>{E(channel.Icon)}</td></tr>");
            }

            body.Append("</tbody></table>");
        }

        return $$"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Byoc settings</title>
            <style>body { font-family: system-ui, sans-serif; margin: 2rem; } table { border-collapse: collapse; } td, th { padding: .3rem .8rem; border-bottom: 1px solid #ddd; text-align: left; }</style></head>
            <body><h1>Byoc settings</h1>
            <p data-testid="signed-in">Signed in from CXone as {{E(answer.UserName)}} ({{E(answer.UserEmail)}}), tenant {{E(answer.TenantId)}}.</p>
            {{body}}
            {{(back is null ? string.Empty : $"<p><a href=\"{E(back.AbsoluteUri)}\">Back to CXone</a></p>")}}
            </body></html>
            """;
    }
}
