using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

public static class RedisUserExtensions
{
    /// <summary>
    /// What the Edge may do in Redis: its own keys only (<c>byoc:v1:edge:*</c>: its Data Protection key ring, the
    /// token signing keys, failed token attempts, the admin audit streams), and only the commands it uses on them, plus what
    /// StackExchange.Redis needs to connect (its tie-breaker key read-only, its configuration channel). A compromised
    /// Edge cannot read the vault, the CXone tokens or the conversations Conversations keeps.
    /// </summary>
    public const string EdgeRules = "resetkeys ~byoc:v1:edge:* %R~__Booksleeve_TieBreak resetchannels &__Booksleeve_MasterChanged "
        + "-@all +@connection -@admin -@dangerous +ping +info +echo "
        + "+subscribe +unsubscribe "
        + "+get +set +setnx +setex +psetex +del +unlink +exists +incr +expire +pexpire +ttl +pttl +lrange +rpush "
        + "+xadd +xrange +xrevrange +xlen";

    /// <summary>
    /// A Redis connection string of its own for one service, named <c>{redis}-{user}</c>:
    /// <list type="bullet">
    /// <item>a local <c>redis-server</c>: an ACL user <paramref name="user"/> limited by <paramref name="rules"/>;</item>
    /// <item>publish mode with a managed Redis, or run mode with <c>ConnectionStrings:{redis}-{user}</c> set: a
    /// connection string parameter (the deployment creates the user with the same rules);</item>
    /// <item>otherwise (a throwaway container, an existing Redis without a second connection string): the shared one.</item>
    /// </list>
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddByocRedisUser(
        this IDistributedApplicationBuilder builder, IResourceBuilder<IResourceWithConnectionString> redis, string user, string rules)
    {
        var name = $"{redis.Resource.Name}-{user}";
        if (redis.Resource is RedisServerResource server)
        {
            var password = builder.AddParameter($"{name}-password", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
            var resource = new RedisUserResource(name, server, user, password.Resource, rules);
            server.Users.Add(resource);
            return builder.AddResource(resource).ExcludeFromManifest();
        }

        var managed = builder.ExecutionContext.IsPublishMode
            ? redis.Resource is not ContainerResource
            : !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name));
        return managed ? builder.AddConnectionString(name) : redis;
    }

    /// <summary>The <c>user</c> lines of a server's config file.</summary>
    internal static async Task<string> AclLinesAsync(RedisServerResource server, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        foreach (var user in server.Users)
        {
            var password = await user.Password.GetValueAsync(cancellationToken);
            ArgumentException.ThrowIfNullOrEmpty(password);
            lines.Add($"user {user.User} on >{password} {user.Rules}");
        }

        return string.Join('\n', lines);
    }
}
