namespace Aspire.Hosting;

/// <summary>What Aspire's AppHost SDK generates per referenced project: where it is and what it builds.</summary>
public interface IProjectMetadata
{
    string ProjectPath { get; }

    /// <summary>The assembly the project builds; ours runs it with <c>dotnet</c> directly (faster than <c>dotnet run</c>).</summary>
    string TargetPath { get; }
}

/// <summary>A named network endpoint of a resource. The port is chosen at start unless fixed here.</summary>
public sealed class EndpointSpec(string name, string scheme)
{
    public string Name { get; } = name;
    public string Scheme { get; } = scheme;
    public int? Port { get; set; }
    public bool IsExternal { get; set; }

    /// <summary>True when the project declares this endpoint under <c>Kestrel:Endpoints</c> in its appsettings.json.</summary>
    public bool IsKestrelConfigured { get; init; }
}

public sealed record HttpHealthCheckSpec(string Path, int StatusCode, string EndpointName);

/// <summary>A link shown for a resource (Aspire's ResourceUrlAnnotation): a path on one of its endpoints, with a caption.</summary>
public sealed class ResourceUrl
{
    /// <summary>A path on the endpoint (e.g. <c>/scalar</c>) or an absolute URL.</summary>
    public string Url { get; set; } = "/";

    public string? DisplayText { get; set; }
}

/// <summary>A resource of the app model: a thing the AppHost starts, watches and connects to others.</summary>
public abstract class Resource(string name)
{
    public string Name { get; } = name;
    public List<EndpointSpec> Endpoints { get; } = [];
    public List<Resource> References { get; } = [];
    public List<Resource> WaitsFor { get; } = [];
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);
    public HttpHealthCheckSpec? HttpHealthCheck { get; set; }
    public List<(string EndpointName, ResourceUrl Url)> Urls { get; } = [];
    public int Replicas { get; set; } = 1;

    public EndpointSpec? FindEndpoint(string endpointName) =>
        Endpoints.Find(e => string.Equals(e.Name, endpointName, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => Name;
}

/// <summary>A .NET project run as <c>dotnet {TargetPath}</c> from its own folder.</summary>
public sealed class ProjectResource(string name, IProjectMetadata project) : Resource(name)
{
    public IProjectMetadata Project { get; } = project;
}

/// <summary>
/// Redis: a local <c>redis-server</c> child process (loopback only, AOF on, generated password), or, when the
/// AppHost has <c>ConnectionStrings:{name}</c>, that existing server, which the AppHost then only checks.
/// </summary>
public sealed class RedisResource(string name) : Resource(name)
{
    public string? ExternalConnectionString { get; init; }

    /// <summary>Generated once per run; written to the server's config file, never to a command line or log.</summary>
    public string Password { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
}
