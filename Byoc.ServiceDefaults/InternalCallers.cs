using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Configuration;

namespace Byoc.ServiceDefaults;

/// <summary>
/// Byoc's internal gRPC calls carry a key every part shares (<c>Byoc:InternalKey</c>, set by the AppHost or the
/// deployment), so that nothing else on the same network — another app in the container environment — can call
/// Conversations or a connector, read the vault or send as an agent. With no key configured the check is off
/// (tests that host one service alone).
/// </summary>
public static class InternalCallers
{
    public const string ConfigurationKey = "Byoc:InternalKey";
    public const string Header = "x-byoc-internal-key";

    public static string? KeyFrom(IConfiguration configuration) =>
        configuration[ConfigurationKey] is { Length: > 0 } key ? key : null;
}

/// <summary>Adds the internal key to every outgoing call of an internal client.</summary>
public sealed class InternalKeyHandler(IConfiguration configuration) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (InternalCallers.KeyFrom(configuration) is { } key)
        {
            request.Headers.TryAddWithoutValidation(InternalCallers.Header, key);
        }

        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Refuses gRPC calls without the internal key (UNAUTHENTICATED); health checks stay open for probes.</summary>
public sealed class InternalCallerInterceptor(IConfiguration configuration) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (InternalCallers.KeyFrom(configuration) is not { } key || context.Method.StartsWith("/grpc.health.v1.", StringComparison.Ordinal))
        {
            return;
        }

        var presented = context.RequestHeaders.GetValue(InternalCallers.Header);
        if (presented is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(key)))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "internal calls only"));
        }
    }
}
