using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

public static class RedisServerExtensions
{
    /// <summary>
    /// The Redis every service shares, named <paramref name="name"/> in every mode so that services read
    /// <c>ConnectionStrings__{name}</c> alike:
    /// <list type="bullet">
    /// <item>run mode, <c>ConnectionStrings:{name}</c> set in the AppHost's configuration: that existing Redis;</item>
    /// <item>run mode otherwise: a local <c>redis-server</c> (<see cref="AddRedisServer"/>);</item>
    /// <item>publish mode: a connection string parameter (a managed Redis, the production choice), or with
    /// <c>AppHost:PublishRedisAs=container</c> Aspire's Redis container (a throwaway environment).</item>
    /// </list>
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddByocRedis(this IDistributedApplicationBuilder builder, string name)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return string.Equals(builder.Configuration["AppHost:PublishRedisAs"], "container", StringComparison.OrdinalIgnoreCase)
                ? builder.AddRedis(name)
                : builder.AddConnectionString(name);
        }

        return string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name))
            ? builder.AddRedisServer(name)
            : builder.AddConnectionString(name);
    }

    /// <summary>
    /// <c>redis-server</c> on a loopback port chosen by Aspire, with a password generated per run (an Aspire secret
    /// parameter, written into a config file only its owner may read, never on a command line), the append-only file
    /// on and fsynced before every reply (an acknowledged ingest survives a crash of Redis), never evicting (Byoc's
    /// keys are state, not cache), data under <c>AppHost:DataPath</c> (default: the user's local data folder) in a folder only its owner may
    /// enter, and a health check that pings it.
    /// </summary>
    public static IResourceBuilder<RedisServerResource> AddRedisServer(this IDistributedApplicationBuilder builder, string name)
    {
        var dataPath = builder.Configuration["AppHost:DataPath"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "Byoc");
        var directory = Path.GetFullPath(Path.Combine(dataPath, name));
        var password = builder.AddParameter($"{name}-password", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
        var redis = new RedisServerResource(name, directory, password.Resource);
        var config = Path.Combine(directory, "redis.conf");

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, ct) =>
            connectionString = await redis.ConnectionStringExpression.GetValueAsync(ct));
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(redis, async (_, ct) =>
            await WriteConfigAsync(config, directory, await password.Resource.GetValueAsync(ct), await RedisUserExtensions.AclLinesAsync(redis, ct), ct));

        var healthCheck = $"{name}-ping";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException($"{name} has no address yet."), name: healthCheck);

        return builder.AddResource(redis)
            .WithEndpoint(name: RedisServerResource.EndpointName, scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add(config);
                context.Args.Add("--port");
                context.Args.Add(redis.Endpoint.Property(EndpointProperty.TargetPort));
            })
            .WithHealthCheck(healthCheck)
            .ExcludeFromManifest();
    }

    private static async Task WriteConfigAsync(string path, string directory, string? password, string users, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        // The append-only file holds every secret Byoc keeps: only the owner may enter the folder.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"""
            # Written by Byoc.AppHost at every start; the password changes with each run.
            bind 127.0.0.1 -::1
            protected-mode yes
            {users}
            requirepass {password}
            dir "{directory}"
            appendonly yes
            appendfsync always
            maxmemory-policy noeviction
            save ""
            daemonize no
            """);
        // Readable by its owner only before the password is written into it.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            if (File.Exists(path))
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        await using var file = new FileStream(path, options);
        await using var writer = new StreamWriter(file);
        await writer.WriteAsync(text.AsMemory(), cancellationToken);
    }
}
