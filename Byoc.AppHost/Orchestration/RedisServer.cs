using System.Globalization;
using Aspire.Hosting;

namespace Byoc.AppHost.Orchestration;

/// <summary>How a local redis-server is run: loopback only, AOF on, a generated password in a private config file.</summary>
internal static class RedisServer
{
    public const string MissingMessage =
        "redis-server is not installed: install it with 'sudo apt-get install -y redis-server' (or run ./byoc up), " +
        "or point the AppHost at an existing Redis by setting ConnectionStrings__redis (host:port,password=...).";

    public static string Locate(string? path) =>
        ExecutableLookup.Find("redis-server", path) ?? throw new AppHostStartException(MissingMessage);

    /// <summary>Writes the server's config (readable by the user only: it holds the password) and returns what to run.</summary>
    public static ProcessSpec Prepare(RedisResource redis, int port, string executable, string dataRoot)
    {
        var dataDirectory = Path.Combine(dataRoot, "redis", redis.Name);
        Directory.CreateDirectory(dataDirectory);
        var configPath = Path.Combine(dataRoot, "redis", $"{redis.Name}.conf");
        File.WriteAllText(configPath, string.Empty);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(configPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(configPath, Config(port, redis.Password, dataDirectory));
        return new ProcessSpec(executable, [configPath], dataDirectory, new Dictionary<string, string>());
    }

    public static string Config(int port, string password, string dataDirectory) => string.Create(CultureInfo.InvariantCulture, $"""
        # Written by Byoc.AppHost at every start; edits are lost.
        bind 127.0.0.1
        protected-mode yes
        port {port}
        requirepass {password}
        daemonize no
        dir "{dataDirectory}"
        # Durability: every acknowledged write is in the append-only file within a second.
        appendonly yes
        appendfsync everysec
        save ""
        logfile ""
        loglevel notice

        """);
}
