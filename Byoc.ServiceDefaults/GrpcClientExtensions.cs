using Byoc.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class GrpcClientExtensions
{
    /// <summary>
    /// For services whose every method is idempotent: a call answered Unavailable (a replica that died, or is
    /// restarting, or Redis away for a moment) is sent again up to 4 times within about 1.5 s, on a new connection
    /// when the old one broke, so it reaches a surviving replica instead of failing back to the caller.
    /// </summary>
    private static readonly Grpc.Net.Client.Configuration.ServiceConfig UnavailableRetried = new()
    {
        MethodConfigs =
        {
            new Grpc.Net.Client.Configuration.MethodConfig
            {
                Names = { Grpc.Net.Client.Configuration.MethodName.Default },
                RetryPolicy = new Grpc.Net.Client.Configuration.RetryPolicy
                {
                    MaxAttempts = 5,
                    InitialBackoff = TimeSpan.FromMilliseconds(100),
                    MaxBackoff = TimeSpan.FromMilliseconds(800),
                    BackoffMultiplier = 2,
                    RetryableStatusCodes = { Grpc.Core.StatusCode.Unavailable },
                },
            },
        },
    };

    /// <summary>
    /// Registers a gRPC client for an internal service reached by service discovery (<c>http://{serviceName}</c>,
    /// resolved from <c>services:{serviceName}:http:N</c>), with a deadline on every call that has none, and
    /// without the HTTP resilience handler: its timeouts would cut streaming calls, and gRPC retries are decided
    /// per call by the caller, who knows whether the call is idempotent.
    /// </summary>
    public static IHttpClientBuilder AddGrpcServiceClient<TClient>(
        this IServiceCollection services, string serviceName, TimeSpan defaultDeadline, bool retryUnavailable = false)
        where TClient : class
    {
        services.AddInternalKey();
        var client = services
            .AddGrpcClient<TClient>(o => o.Address = new Uri($"http://{serviceName}"))
            .ConfigureChannel(o => o.ServiceConfig = retryUnavailable ? UnavailableRetried : null)
            .AddInterceptor(() => new DefaultDeadlineInterceptor(defaultDeadline, TimeProvider.System))
            .AddHttpMessageHandler(sp => new InternalKeyHandler(sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()));
#pragma warning disable EXTEXP0001 // The only supported way to undo ConfigureHttpClientDefaults' resilience for one client.
        return client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
