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
    public static IEndpointRouteBuilder MapSettingsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/settings", async (int? userId, int? brandId, string? token, string? backUrl, Integrations.IntegrationsClient integrations, IConfiguration configuration, CancellationToken cancellationToken) =>
            {
                var back = BackUrl(backUrl, configuration);
                if (userId is null || brandId is null || string.IsNullOrEmpty(token))
                {
                    return Refused(back, "The settings page needs userId, brandId and token, as CXone sends them.");
                }

                VerifySettingsTokenResponse answer;
                try
                {
                    answer = await integrations.VerifySettingsTokenAsync(new VerifySettingsTokenRequest { BrandId = brandId.Value, UserId = userId.Value, Token = token }, cancellationToken: cancellationToken);
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
                {
                    return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Byoc cannot check the sign-in now; open the page again from CXone.");
                }

                return answer.Valid ? Results.Content(Page(answer, back), "text/html; charset=utf-8") : Refused(back, "CXone did not confirm this sign-in (the link is used or expired).");
            })
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

    private static IResult Refused(Uri? back, string reason) =>
        back is not null ? Results.Redirect(back.ToString()) : Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: reason);

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
            {{(back is null ? string.Empty : $"<p><a href=\"{E(back.ToString())}\">Back to CXone</a></p>")}}
            </body></html>
            """;
    }
}
