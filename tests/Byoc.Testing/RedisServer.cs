using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using Xunit;

namespace Byoc.Testing;

/// <summary>
/// A real <c>redis-server</c> for a test class or collection: loopback, a free port, a password, AOF on, its own
/// temporary folder. <see cref="RestartAsync"/> stops and starts it on the same port and data (fault tests).
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("byoc-redis-").FullName;
    private readonly string _password = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
    private Process? _process;

    public int Port { get; } = FreePort();

    /// <summary>AOF on (the default, as the AppHost runs it); off for a test of a Redis that cannot confirm durability.</summary>
    public bool AppendOnly { get; init; } = true;

    /// <summary>A StackExchange.Redis connection string, as services receive it in <c>ConnectionStrings__redis</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port},password={_password}");

    public async Task InitializeAsync() => await StartAsync();

    public async Task DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_folder, recursive: true);
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// <summary>Deletes every key, so tests sharing the server start from nothing.</summary>
    public async Task FlushAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",allowAdmin=true");
        await redis.GetServer(redis.GetEndPoints()[0]).FlushAllDatabasesAsync();
    }

    /// <summary>Starts the server again after <see cref="StopAsync"/>, on the same port and data.</summary>
    public async Task StartAsync()
    {
        var config = Path.Combine(_folder, "redis.conf");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            bind 127.0.0.1
            port {Port}
            requirepass {_password}
            dir "{_folder}"
            appendonly {(AppendOnly ? "yes" : "no")}
            appendfsync always
            maxmemory-policy noeviction
            save ""
            daemonize no
            """));
        _process = await TestProcesses.StartAsync(Executable(), [config], _folder, new Dictionary<string, string>());

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                await using var redis = await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",connectTimeout=500");
                await redis.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (!deadline.IsCancellationRequested && !_process.HasExited)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
            }
        }
    }

    /// <summary>Kills the server (an outage); its port and data stay for <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _process = null;
    }

    private static string Executable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("redis-server is not installed: run ./byoc test, which installs it.");

    private static int FreePort() => TestProcesses.FreePort();
}
