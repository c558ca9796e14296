using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>The subset of Aspire's app-model vocabulary that Byoc uses, with Aspire's names and meanings.</summary>
public static class ResourceBuilderExtensions
{
    public static IResourceBuilder<RedisResource> AddRedis(this IDistributedApplicationBuilder builder, string name)
    {
        var existing = builder.Configuration.GetConnectionString(name);
        var redis = new RedisResource(name) { ExternalConnectionString = string.IsNullOrWhiteSpace(existing) ? null : existing };
        redis.Endpoints.Add(new EndpointSpec("tcp", "tcp"));
        return builder.AddResource(redis);
    }

    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
        => builder.AddProject(name, new TProject());

    public static IResourceBuilder<ProjectResource> AddProject(this IDistributedApplicationBuilder builder, string name, IProjectMetadata project)
    {
        var resource = new ProjectResource(name, project);
        // As Aspire does: endpoints the project configures under Kestrel:Endpoints keep their names (and protocols),
        // and the AppHost only sets their URLs; a project without them gets one "http" endpoint via ASPNETCORE_URLS.
        var kestrelEndpoints = ReadKestrelEndpointNames(project.ProjectPath);
        if (kestrelEndpoints.Count == 0)
        {
            resource.Endpoints.Add(new EndpointSpec("http", "http"));
        }

        foreach (var endpoint in kestrelEndpoints)
        {
            resource.Endpoints.Add(new EndpointSpec(endpoint, "http") { IsKestrelConfigured = true });
        }

        return builder.AddResource(resource);
    }

    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> source)
        where T : Resource
    {
        if (!builder.Resource.References.Contains(source.Resource))
        {
            builder.Resource.References.Add(source.Resource);
        }

        return builder;
    }

    /// <summary>Start this resource only once <paramref name="dependency"/> is running and healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> dependency)
        where T : Resource
    {
        if (!builder.Resource.WaitsFor.Contains(dependency.Resource))
        {
            builder.Resource.WaitsFor.Add(dependency.Resource);
        }

        return builder;
    }

    public static IResourceBuilder<ProjectResource> WithReplicas(this IResourceBuilder<ProjectResource> builder, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        builder.Resource.Replicas = replicas;
        return builder;
    }

    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder) where T : Resource
    {
        foreach (var endpoint in builder.Resource.Endpoints.Where(e => e.Scheme is "http" or "https"))
        {
            endpoint.IsExternal = true;
        }

        return builder;
    }

    /// <summary>Fixes the port of an endpoint (adding the endpoint if the project lacks it).</summary>
    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, string name = "http")
        where T : Resource
    {
        var endpoint = builder.Resource.FindEndpoint(name);
        if (endpoint is null)
        {
            endpoint = new EndpointSpec(name, "http");
            builder.Resource.Endpoints.Add(endpoint);
        }

        endpoint.Port = port;
        return builder;
    }

    public static IResourceBuilder<T> WithHttpHealthCheck<T>(
        this IResourceBuilder<T> builder, string? path = null, int? statusCode = null, string? endpointName = null)
        where T : Resource
    {
        var name = endpointName ?? "http";
        if (builder.Resource.FindEndpoint(name) is null)
        {
            throw new InvalidOperationException($"Resource '{builder.Resource.Name}' has no endpoint named '{name}' to check health on.");
        }

        builder.Resource.HttpHealthCheck = new HttpHealthCheckSpec(path ?? "/health", statusCode ?? 200, name);
        return builder;
    }

    /// <summary>Adds a link to a page of the resource, printed after the resource table and shown on the status page.</summary>
    public static IResourceBuilder<T> WithUrlForEndpoint<T>(this IResourceBuilder<T> builder, string endpointName, Action<ResourceUrl> configure)
        where T : Resource
    {
        if (builder.Resource.FindEndpoint(endpointName) is null)
        {
            throw new InvalidOperationException($"Resource '{builder.Resource.Name}' has no endpoint named '{endpointName}'.");
        }

        var url = new ResourceUrl();
        configure(url);
        builder.Resource.Urls.Add((endpointName, url));
        return builder;
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : Resource
    {
        builder.Resource.Environment[name] = value;
        return builder;
    }

    internal static IReadOnlyList<string> ReadKestrelEndpointNames(string projectPath)
    {
        var settings = Path.Combine(Path.GetDirectoryName(projectPath) ?? ".", "appsettings.json");
        if (!File.Exists(settings))
        {
            return [];
        }

        using var stream = File.OpenRead(settings);
        using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.TryGetProperty("Kestrel", out var kestrel)
            && kestrel.TryGetProperty("Endpoints", out var endpoints)
            && endpoints.ValueKind == JsonValueKind.Object)
        {
            return [.. endpoints.EnumerateObject().Select(e => e.Name)];
        }

        return [];
    }
}
