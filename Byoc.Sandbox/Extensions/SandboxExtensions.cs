using Byoc.Sandbox.Cxone;

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
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, CxoneJson.Default));
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
}
