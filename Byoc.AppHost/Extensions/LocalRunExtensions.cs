using System.Reflection;
using System.Runtime.Versioning;
using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

public static class LocalRunExtensions
{
    /// <summary>
    /// The local run settings every Byoc service gets: its built executable (<see cref="WithBuiltExecutable"/>); the
    /// AppHost's environment (Development under <c>dotnet run</c>), which a project without a launch profile would not
    /// get and which selects the sandbox demo's settings; and a one-second OTLP export timeout, so that a service
    /// stopping after the dashboard does not wait the default 10 s on its last export.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithLocalRunSettings(this IResourceBuilder<ProjectResource> builder) =>
        builder.ApplicationBuilder.ExecutionContext.IsRunMode
            ? builder.WithBuiltExecutable()
                .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.ApplicationBuilder.Environment.EnvironmentName)
                .WithEnvironment("OTEL_EXPORTER_OTLP_TIMEOUT", "1000")
            : builder;

    /// <summary>
    /// In run mode, starts the project's built executable directly instead of through <c>dotnet run --no-build</c>,
    /// which keeps an SDK process of about 100 MB alive beside every replica and re-evaluates the project at each
    /// start. The AppHost build has already built every referenced project, with the AppHost's configuration and
    /// target framework, into the project's <c>bin/{configuration}/{tfm}/</c>. When that executable is missing
    /// (another output layout, an IDE debug session) Aspire's default launch is kept.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBuiltExecutable(this IResourceBuilder<ProjectResource> builder)
    {
        var app = builder.ApplicationBuilder;
        if (!app.ExecutionContext.IsRunMode || !string.IsNullOrEmpty(app.Configuration["DEBUG_SESSION_PORT"]))
        {
            return builder;
        }

        var projectPath = builder.Resource.GetProjectMetadata().ProjectPath;
        var executable = BuiltExecutablePath(projectPath, app.AppHostAssembly);
        if (executable is null || !File.Exists(executable))
        {
            return builder;
        }

        builder.WithAnnotation(new ExecutableAnnotation
        {
            Command = executable,
            WorkingDirectory = Path.GetDirectoryName(projectPath)!,
        }, ResourceAnnotationMutationBehavior.Replace);

        // The native launcher finds the runtime through DOTNET_ROOT or the default install folders; point it at the
        // runtime the AppHost runs on, so an SDK installed elsewhere (dotnet-install's ~/.dotnet) works too.
        var root = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        return string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ROOT"))
            ? builder.WithEnvironment("DOTNET_ROOT", root)
            : builder;
    }

    /// <summary>
    /// In run mode, lets callers reach a single-instance project directly instead of through DCP's proxy, which
    /// otherwise sits on every hop (a webhook crossed it four times) and cost about as much CPU per message as the
    /// connector itself (docs/benchmarks.md). Aspire allocates the port as it does for a proxied endpoint's target;
    /// a resource with replicas keeps its proxy, which is what spreads calls over them (call this after WithReplicas
    /// and after declaring endpoints: only the endpoints declared by then are changed).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDirectEndpoints(this IResourceBuilder<ProjectResource> builder)
    {
        var replicas = builder.Resource.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;
        if (builder.ApplicationBuilder.ExecutionContext.IsRunMode && replicas == 1)
        {
            foreach (var endpoint in builder.Resource.Annotations.OfType<EndpointAnnotation>())
            {
                // Not the development port of the project's Kestrel settings: a free one, so that tests and a
                // developer's own run never collide.
                endpoint.IsProxied = false;
                endpoint.Port = null;
                endpoint.TargetPort = null;
            }
        }

        return builder;
    }

    /// <summary>
    /// In publish mode, drops the <c>https</c> endpoint Aspire derives for a project that declares its endpoints in
    /// <c>Kestrel:Endpoints</c>: it takes the port of whichever http endpoint sorts first (for Conversations the
    /// health endpoint), and TLS ends at the platform's ingress anyway; the services speak plain HTTP inside.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithoutDerivedHttpsEndpoint(this IResourceBuilder<ProjectResource> builder)
    {
        if (builder.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            foreach (var https in builder.Resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.Name == "https").ToList())
            {
                builder.Resource.Annotations.Remove(https);
            }
        }

        return builder;
    }

    private static string? BuiltExecutablePath(string projectPath, Assembly? appHost)
    {
        var configuration = appHost?.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;
        var framework = appHost?.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName;
        if (string.IsNullOrEmpty(configuration) || framework is null || !framework.StartsWith(".NETCoreApp,Version=v", StringComparison.Ordinal))
        {
            return null;
        }

        var tfm = "net" + framework[".NETCoreApp,Version=v".Length..];
        var name = Path.GetFileNameWithoutExtension(projectPath) + (OperatingSystem.IsWindows() ? ".exe" : string.Empty);
        return Path.Combine(Path.GetDirectoryName(projectPath)!, "bin", configuration, tfm, name);
    }
}
