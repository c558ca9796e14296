namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// An ACL user of a local <see cref="RedisServerResource"/> with a password generated per run, given to one service
/// as its connection string; the server's config file declares it with <see cref="Rules"/>.
/// </summary>
public sealed class RedisUserResource(string name, RedisServerResource server, string user, ParameterResource password, string rules)
    : Resource(name), IResourceWithConnectionString, IResourceWithParent<RedisServerResource>
{
    public RedisServerResource Parent { get; } = server;

    public string User { get; } = user;

    public ParameterResource Password { get; } = password;

    /// <summary>The ACL rules after <c>user {name} on &gt;{password}</c>.</summary>
    public string Rules { get; } = rules;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{Parent.Endpoint.Property(EndpointProperty.Host)}:{Parent.Endpoint.Property(EndpointProperty.Port)},user={User},password={Password}");
}
