using StackExchange.Redis;

namespace Byoc.AppHost.Orchestration;

/// <summary>Whether an instance is ready to serve, asked repeatedly by its supervisor.</summary>
internal interface IHealthProbe : IAsyncDisposable
{
    Task<bool> IsHealthyAsync(CancellationToken cancellationToken);
}

/// <summary>Healthy while the process runs: for resources that declare no health check, as in Aspire.</summary>
internal sealed class RunningIsHealthy : IHealthProbe
{
    public Task<bool> IsHealthyAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>GET on a health path (HTTP/1.1) that must answer the expected status code.</summary>
internal sealed class HttpHealthProbe(HttpClient http, Uri url, int expectedStatus) : IHealthProbe
{
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(url, cancellationToken);
            return (int)response.StatusCode == expectedStatus;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Redis answers PING (with the password of the connection string).</summary>
internal sealed class RedisHealthProbe(string connectionString) : IHealthProbe
{
    private ConnectionMultiplexer? _connection;

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_connection is null)
            {
                var options = ConfigurationOptions.Parse(connectionString);
                options.AbortOnConnectFail = false;
                options.ConnectTimeout = 1000;
                options.ConnectRetry = 0;
                _connection = await ConnectionMultiplexer.ConnectAsync(options);
            }

            await _connection.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
