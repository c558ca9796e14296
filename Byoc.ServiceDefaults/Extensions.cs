using System.Text.Json;
using Byoc.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Byoc service shares, written the way Aspire's service defaults are so that a service cannot tell
/// who started it (the AppHost, Azure Container Apps, a test): telemetry, health, service discovery, resilience, problem details.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    private const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = BadRequests.Explain);
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // IHttpClientFactory's per-request logging handlers cost a log scope and two log calls on every call even
            // when their category is filtered out; OpenTelemetry already traces and counts every request.
            http.RemoveAllLoggers();
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(ByocTelemetry.MeterName))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName, ByocTelemetry.ActivitySourceName)
                // Probes would drown the traces of real work.
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath);
                    // A caller may put a secret in the query (client_secret=, token=): only the names are kept.
                    o.EnrichWithHttpRequest = (activity, request) =>
                    {
                        if (request.QueryString.HasValue)
                        {
                            activity.SetTag("url.query", SecretsInUrls.RedactQuery(request.QueryString.Value!));
                        }
                    };
                })
                .AddGrpcClientInstrumentation()
                .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = (activity, request) =>
                {
                    // Some platform APIs carry the credential in the path (Telegram's /bot{token}/...), others in the query.
                    if (request.RequestUri is { } uri && SecretsInUrls.Redact(uri.ToString()) is { } redacted)
                    {
                        activity.SetTag("url.full", redacted);
                    }
                }));

        // OTLP export only when a collector is configured, exactly as Aspire's defaults do.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (ready: every check) and <c>/alive</c> (live: only the process itself), and the
    /// problem-details error handling every service answers with.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // A request the framework could not bind or read is the client's error (400, 413...), never a 500.
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = BadRequests.StatusCode });
        app.UseStatusCodePages();

        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = WriteHealthReportAsync })
            .DisableHttpMetrics();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(LiveTag),
            ResponseWriter = WriteHealthReportAsync,
        }).DisableHttpMetrics();
        return app;
    }

    // Names and states only: descriptions and exceptions may carry connection details.
    private static Task WriteHealthReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var entries = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString());
        return context.Response.WriteAsync(
            JsonSerializer.Serialize(new HealthReportBody(report.Status.ToString(), entries), HealthJson.Default.HealthReportBody),
            context.RequestAborted);
    }
}
