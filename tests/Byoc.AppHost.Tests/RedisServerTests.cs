using Byoc.AppHost.Orchestration;

namespace Byoc.AppHost.Tests;

public sealed class RedisServerTests
{
    [Fact]
    public void A_missing_redis_server_is_reported_in_one_sentence_saying_how_to_install_it_or_use_another()
    {
        var empty = Directory.CreateTempSubdirectory("byoc-path-").FullName;

        var error = Assert.Throws<AppHostStartException>(() => RedisServer.Locate(empty));

        Assert.Contains("apt-get install -y redis-server", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__redis", error.Message, StringComparison.Ordinal);
        Assert.Single(error.Message.Split(". ", StringSplitOptions.None));
        Directory.Delete(empty);
    }

    [Fact]
    public void Redis_server_is_found_in_the_directories_of_PATH_in_order()
    {
        var first = Directory.CreateTempSubdirectory("byoc-path-").FullName;
        var second = Directory.CreateTempSubdirectory("byoc-path-").FullName;
        File.WriteAllText(Path.Combine(second, "redis-server"), string.Empty);

        Assert.Equal(Path.Combine(second, "redis-server"), RedisServer.Locate($"{first}:{second}"));

        Directory.Delete(first);
        Directory.Delete(second, recursive: true);
    }

    [Fact]
    public void The_server_listens_on_loopback_only_with_a_password_and_the_append_only_file_on()
    {
        var config = RedisServer.Config(6399, "pa55", "/data/redis");

        var lines = config.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains("bind 127.0.0.1", lines);
        Assert.Contains("port 6399", lines);
        Assert.Contains("requirepass pa55", lines);
        Assert.Contains("appendonly yes", lines);
        Assert.Contains("daemonize no", lines);
        Assert.Contains("dir \"/data/redis\"", lines);
    }

    [Fact]
    public void The_config_file_holding_the_password_is_readable_by_its_owner_only()
    {
        var root = Directory.CreateTempSubdirectory("byoc-data-").FullName;
        var redis = new RedisResource("redis");

        var spec = RedisServer.Prepare(redis, 6399, "/usr/bin/redis-server", root);

        var configPath = Assert.Single(spec.Arguments);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(configPath));
        Assert.Contains($"requirepass {redis.Password}", File.ReadAllText(configPath), StringComparison.Ordinal);
        Assert.DoesNotContain(spec.Arguments, a => a.Contains(redis.Password, StringComparison.Ordinal));
        Directory.Delete(root, recursive: true);
    }
}
