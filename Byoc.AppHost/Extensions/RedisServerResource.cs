namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A local <c>redis-server</c> run as an executable: there is no container engine on the machines Byoc is developed
/// on, and Aspire's Redis container would wait for one forever. Loopback only, password-protected, AOF on.
/// </summary>
public sealed class RedisServerResource(string name, string dataDirectory, ParameterResource password)
    : ExecutableResource(name, "redis-server", dataDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    private EndpointReference? _endpoint;

    public EndpointReference Endpoint => _endpoint ??= new(this, EndpointName);

    public ParameterResource Password { get; } = password;

    /// <summary>The ACL users written into its config file beside the default user (<see cref="RedisUserExtensions"/>).</summary>
    public ICollection<RedisUserResource> Users { get; } = new List<RedisUserResource>();

    /// <summary>Where the server keeps its config file and append-only file.</summary>
    public string DataDirectory { get; } = dataDirectory;

    /// <summary>The StackExchange.Redis connection string, as Aspire's own Redis resource writes it.</summary>
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{Endpoint.Property(EndpointProperty.Host)}:{Endpoint.Property(EndpointProperty.Port)},password={Password}");
}
