using System.Net;
using System.Text;
using Aspire.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Byoc.AppHost.Orchestration;

/// <summary>
/// The AppHost's small stand-in for the Aspire dashboard: resources with state, health, restarts and endpoints
/// (<c>/</c>, refreshing itself), the same as JSON (<c>/api/resources</c>), and each instance's recent output.
/// </summary>
internal sealed class StatusPage : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StatusPage(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<StatusPage> StartAsync(string url, Func<IReadOnlyList<ResourceSnapshot>> snapshot, ConsoleLog log, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, SnapshotJson.Default));
        var app = builder.Build();

        app.MapGet("/", () => Results.Content(Html(snapshot()), "text/html; charset=utf-8"));
        app.MapGet("/api/resources", () => TypedResults.Ok(snapshot()));
        app.MapGet("/api/resources/{name}/logs", (string name) =>
            snapshot().Any(s => s.Name == name)
                ? Results.Text(string.Join('\n', log.Lines(name)) + "\n")
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No resource instance named '{name}'."));

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw new AppHostStartException($"The status page cannot listen on {url} ({e.Message}): free the port or set AppHost__StatusUrl.");
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new StatusPage(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string Html(IReadOnlyList<ResourceSnapshot> resources)
    {
        var rows = new StringBuilder();
        foreach (var r in resources)
        {
            var endpoints = string.Join("<br>", r.Endpoints.Select(e =>
                $"<a href=\"{Enc(e.Url)}\">{Enc(e.Name)}: {Enc(e.Url)}</a>{(e.IsExternal ? " <em>external</em>" : string.Empty)}"));
            rows.Append($"<tr><td>{Enc(r.Name)}</td><td>{Enc(r.Type)}</td><td class=\"{Enc(r.State)}\">{Enc(r.State)}</td>")
                .Append($"<td class=\"{Enc(r.Health)}\">{Enc(r.Health)}</td><td>{r.Restarts}</td><td>{r.ProcessId}</td>")
                .Append($"<td>{endpoints}</td><td><a href=\"/api/resources/{Enc(r.Name)}/logs\">logs</a></td></tr>");
        }

        return $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
            <title>Byoc AppHost</title>
            <style>
              body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
              table { border-collapse: collapse; } td, th { padding: .4rem .8rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
              .Healthy, .Running { color: #107c10; } .Unhealthy, .FailedToStart, .Restarting { color: #c50f1f; }
            </style></head>
            <body><h1>Byoc resources</h1>
            <table><thead><tr><th>Resource</th><th>Type</th><th>State</th><th>Health</th><th>Restarts</th><th>PID</th><th>Endpoints</th><th></th></tr></thead>
            <tbody>{{rows}}</tbody></table>
            <ul>{{string.Concat(resources.SelectMany(r => r.Links).DistinctBy(l => l.Url).Select(l => $"<li><a href=\"{Enc(l.Url)}\">{Enc(l.DisplayText)}</a></li>"))}}</ul>
            <p><a href="/api/resources">JSON</a></p></body></html>
            """;

        static string Enc(string value) => WebUtility.HtmlEncode(value);
    }
}
