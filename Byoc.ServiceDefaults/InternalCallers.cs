using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Byoc.ServiceDefaults;

/// <summary>
/// Byoc's internal gRPC calls carry the caller's own key (<c>Byoc:InternalKey</c>, one per caller, set by the AppHost
/// or the deployment). A server knows each caller's key (<c>Byoc:InternalCallers:{caller}</c>: the key, or
/// <c>sha256:</c> and its hex SHA-256) and lets each caller call only its own gRPC services
/// (<see cref="InternalCallerRights"/>), so a compromised connector cannot act as the Edge or as another connector.
/// Missing keys fail start-up outside Development; in Development they are allowed (the check is off) and logged.
/// </summary>
public static class InternalCallers
{
    public const string ConfigurationKey = "Byoc:InternalKey";
    public const string CallersSection = "Byoc:InternalCallers";
    public const string Header = "x-byoc-internal-key";
    public const string HashPrefix = "sha256:";

    /// <summary>The caller name of a connector: <c>connector-{name}</c>, the name of its resource in the AppHost.</summary>
    public const string ConnectorPrefix = "connector-";

    public static string? KeyFrom(IConfiguration configuration) =>
        configuration[ConfigurationKey] is { Length: > 0 } key ? key : null;

    /// <summary>The form a server may be given instead of the key itself.</summary>
    public static string HashOf(string key) => HashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>
    /// Fails start-up outside Development when this service has no key of its own to present on its internal calls.
    /// </summary>
    public static IServiceCollection AddInternalKey(this IServiceCollection services)
    {
        services.AddOptions<InternalCallOptions>().Configure(o => o.PresentsKey = true).ValidateOnStart();
        AddOptions(services);
        return services;
    }

    /// <summary>
    /// The callers this gRPC server accepts and what each may call; fails start-up outside Development when no
    /// caller's key is configured. Add <see cref="InternalCallerInterceptor"/> to the gRPC options.
    /// </summary>
    public static IServiceCollection AddInternalCallers(this IServiceCollection services, InternalCallerRights rights)
    {
        services.AddSingleton(rights);
        services.AddOptions<InternalCallOptions>().Configure(o => o.ServesCallers = true).ValidateOnStart();
        AddOptions(services);
        return services;
    }

    /// <summary>
    /// A connector may act only for its own connector name: any other caller, or a connector naming another
    /// connector, is PERMISSION_DENIED; an empty name is INVALID_ARGUMENT. No check while the check is off
    /// (Development without keys).
    /// </summary>
    public static void RequireConnector(this ServerCallContext context, string connector)
    {
        if (string.IsNullOrEmpty(connector))
        {
            // Refused as bad input, naming the field, before any question of rights.
            throw new RpcException(new Status(StatusCode.InvalidArgument, "connector is required"));
        }

        if (context.UserState.TryGetValue(typeof(InternalCaller), out var value) && value is InternalCaller caller
            && !string.Equals(caller.Connector, connector, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"caller {caller.Name} may not act for connector '{connector}'"));
        }
    }

    private static void AddOptions(IServiceCollection services)
    {
        services.AddOptions<InternalCallOptions>().Configure<IConfiguration>((o, configuration) =>
        {
            o.Key = KeyFrom(configuration);
            o.Callers.Clear();
            foreach (var caller in configuration.GetSection(CallersSection).GetChildren())
            {
                if (caller.Value is { Length: > 0 } key)
                {
                    o.Callers[caller.Key] = key;
                }
            }
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InternalCallOptions>, InternalCallValidation>());
    }
}

/// <summary>Who called: a caller name from <c>Byoc:InternalCallers</c>.</summary>
public sealed record InternalCaller(string Name)
{
    /// <summary>The connector name of a connector caller (<c>connector-telegram</c> → <c>telegram</c>).</summary>
    public string? Connector => Name.StartsWith(InternalCallers.ConnectorPrefix, StringComparison.Ordinal) ? Name[InternalCallers.ConnectorPrefix.Length..] : null;
}

/// <summary>
/// The gRPC services (full names, <c>package.Service</c>) each caller may call; the caller <c>connector-*</c> stands for
/// every connector.
/// </summary>
public sealed class InternalCallerRights(IReadOnlyDictionary<string, string[]> servicesByCaller)
{
    public const string AnyConnector = InternalCallers.ConnectorPrefix + "*";

    public bool Allows(InternalCaller caller, string method)
    {
        // A gRPC method is "/package.Service/Method".
        var end = method.IndexOf('/', 1);
        var service = end > 1 ? method[1..end] : method;
        var rights = servicesByCaller.TryGetValue(caller.Name, out var own) ? own
            : caller.Connector is { Length: > 0 } && servicesByCaller.TryGetValue(AnyConnector, out var connectors) ? connectors
            : [];
        return rights.Contains(service, StringComparer.Ordinal);
    }
}

public sealed class InternalCallOptions
{
    /// <summary>This service's own key (<c>Byoc:InternalKey</c>).</summary>
    public string? Key { get; set; }

    /// <summary>The keys (or <c>sha256:</c> hashes) of the callers this service accepts, by caller name.</summary>
    public Dictionary<string, string> Callers { get; } = new(StringComparer.Ordinal);

    internal bool PresentsKey { get; set; }

    internal bool ServesCallers { get; set; }
}

internal sealed partial class InternalCallValidation(IHostEnvironment environment, ILogger<InternalCallValidation> logger) : IValidateOptions<InternalCallOptions>
{
    public ValidateOptionsResult Validate(string? name, InternalCallOptions options)
    {
        var missing = new List<string>();
        if (options.PresentsKey && options.Key is null)
        {
            missing.Add($"{InternalCallers.ConfigurationKey} (this service's own key for its internal calls)");
        }

        if (options.ServesCallers && options.Callers.Count == 0)
        {
            missing.Add($"{InternalCallers.CallersSection}:{{caller}} (the key of every caller allowed to call this service)");
        }

        if (missing.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        if (environment.IsDevelopment())
        {
            LogUnprotected(logger, string.Join("; ", missing));
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail($"Internal calls need {string.Join(" and ", missing)}; only Development may run without.");
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Internal calls are not protected (allowed in Development only): missing {Settings}")]
    private static partial void LogUnprotected(ILogger logger, string settings);
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

/// <summary>
/// Refuses gRPC calls without a known caller's key (UNAUTHENTICATED) and calls to a service the caller may not call
/// (PERMISSION_DENIED); health checks stay open for probes. With no caller configured (Development only, see
/// <see cref="InternalCallValidation"/>) the check is off.
/// </summary>
public sealed class InternalCallerInterceptor(IOptions<InternalCallOptions> options, InternalCallerRights rights) : Interceptor
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
        var callers = options.Value.Callers;
        if (callers.Count == 0 || context.Method.StartsWith("/grpc.health.v1.", StringComparison.Ordinal))
        {
            return;
        }

        var caller = Identify(callers, context.RequestHeaders.GetValue(InternalCallers.Header))
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "internal calls only"));
        if (!rights.Allows(caller, context.Method))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"caller {caller.Name} may not call {context.Method}"));
        }

        context.UserState[typeof(InternalCaller)] = caller;
    }

    /// <summary>
    /// Compares hashes of equal length in constant time, against every caller without stopping at a match, so the
    /// time taken says nothing about the key or which caller it belongs to.
    /// </summary>
    private static InternalCaller? Identify(Dictionary<string, string> callers, string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return null;
        }

        var hash = Encoding.ASCII.GetBytes(InternalCallers.HashOf(presented));
        InternalCaller? found = null;
        foreach (var (name, configured) in callers)
        {
            var expected = Encoding.ASCII.GetBytes(configured.StartsWith(InternalCallers.HashPrefix, StringComparison.Ordinal)
                ? configured.ToLowerInvariant()
                : InternalCallers.HashOf(configured));
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found = new InternalCaller(name);
            }
        }

        return found;
    }
}
