using Grpc.Core;
using Grpc.Core.Interceptors;
using StackExchange.Redis;

namespace Byoc.Conversations.Grpc;

/// <summary>
/// Redis down, restarting (LOADING) or slow is a passing condition, not a bug: callers get Unavailable, which they
/// retry (the platform's webhook answers 503 with Retry-After), instead of Unknown.
/// </summary>
public sealed partial class RedisFailuresAsUnavailable(ILogger<RedisFailuresAsUnavailable> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RedisException e)
        {
            throw Unavailable(context, e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (RedisException e)
        {
            throw Unavailable(context, e);
        }
    }

    private RpcException Unavailable(ServerCallContext context, RedisException e)
    {
        LogRedisFailed(logger, context.Method, e.GetType().Name);
        return new RpcException(new Status(StatusCode.Unavailable, "Redis is unavailable; try again"));
    }

    [LoggerMessage(EventId = 2901, Level = LogLevel.Warning, Message = "{Method} answered Unavailable: Redis failed ({Failure})")]
    private static partial void LogRedisFailed(ILogger logger, string method, string failure);
}
