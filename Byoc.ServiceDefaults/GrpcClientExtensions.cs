using Byoc.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class GrpcClientExtensions
{
    /// <summary>
    /// Registers a gRPC client for an internal service reached by service discovery (<c>http://{serviceName}</c>,
    /// resolved from <c>services:{serviceName}:http:N</c>), with a deadline on every call that has none, and
    /// without the HTTP resilience handler: its timeouts would cut streaming calls, and gRPC retries are decided
    /// per call by the caller, who knows whether the call is idempotent.
    /// </summary>
    public static IHttpClientBuilder AddGrpcServiceClient<TClient>(
        this IServiceCollection services, string serviceName, TimeSpan defaultDeadline)
        where TClient : class
    {
        services.AddInternalKey();
        var client = services
            .AddGrpcClient<TClient>(o => o.Address = new Uri($"http://{serviceName}"))
            .AddInterceptor(() => new DefaultDeadlineInterceptor(defaultDeadline, TimeProvider.System))
            .AddHttpMessageHandler(sp => new InternalKeyHandler(sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()));
#pragma warning disable EXTEXP0001 // The only supported way to undo ConfigureHttpClientDefaults' resilience for one client.
        return client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
