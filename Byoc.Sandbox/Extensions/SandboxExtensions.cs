using Byoc.Sandbox.Cxone;
using Byoc.Sandbox.Junglebook;

namespace Byoc.Sandbox.Extensions;

internal static class SandboxExtensions
{
    public static IHostApplicationBuilder AddCxoneSimulator(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CxoneSimulatorOptions>()
            .BindConfiguration(CxoneSimulatorOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CxoneTenant>();
        builder.Services.AddSingleton<CxoneFaults>();
        builder.Services.AddSingleton<CxoneSignIn>();
        builder.Services.AddOptions<CxoneIntegrationOptions>().BindConfiguration(CxoneIntegrationOptions.Section);
        builder.Services.AddSingleton<MiddlewareCalls>();
#pragma warning disable EXTEXP0001 // CXone's own retry rule (once, after a 401) is the behaviour being simulated.
        builder.Services.AddHttpClient(MiddlewareCalls.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(30)).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, CxoneJson.Default));
        return builder;
    }

    public static IHostApplicationBuilder AddJunglebookSimulator(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JunglebookOptions>().BindConfiguration(JunglebookOptions.Section).ValidateOnStart()
            .Validate(o => o.Profiles.Count > 0 && o.Profiles.Values.All(p => p.Token.Length > 0 && p.WebhookSecret.Length > 0),
                $"{JunglebookOptions.Section}:Profiles needs at least one profile, each with a Token and a WebhookSecret.");
        builder.Services.AddSingleton<JunglebookNetwork>();
        builder.Services.AddSingleton<JunglebookWebhooks>();
        builder.Services.AddSingleton<JunglebookTyping>();
        builder.Services.AddSingleton<JunglebookOutage>();
#pragma warning disable EXTEXP0001 // The simulator retries its webhooks itself, as a platform does.
        builder.Services.AddHttpClient(JunglebookWebhooks.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(10)).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }

    /// <summary>Faults apply to what the middleware calls (auth and the Digital API), never to the simulator's own admin API.</summary>
    public static WebApplication UseCxoneFaults(this WebApplication app)
    {
        var faults = app.Services.GetRequiredService<CxoneFaults>();
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/dfo") || context.Request.Path.StartsWithSegments("/auth"),
            branch => branch.Use(next => context => faults.ApplyAsync(context, next)));
        return app;
    }

    /// <summary>A Junglebook outage applies to its API (what connectors call), never to customers or the simulator's admin API.</summary>
    public static WebApplication UseJunglebookOutage(this WebApplication app)
    {
        var outage = app.Services.GetRequiredService<JunglebookOutage>();
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/junglebook/api"),
            branch => branch.Use(next => context => outage.ApplyAsync(context, next)));
        return app;
    }
}
