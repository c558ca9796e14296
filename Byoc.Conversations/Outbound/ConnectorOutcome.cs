using System.Net.Sockets;
using Byoc.Connectors.V1;
using Grpc.Core;

namespace Byoc.Conversations.Outbound;

/// <summary>
/// What a failed Send means for a retry: the connector says so in the <c>send-failure-bin</c> trailer; without it
/// (an older connector, or the call never got there) the status decides, and anything that may have reached the
/// platform — a deadline, a reset, an internal error — is an unknown outcome, never "not sent".
/// </summary>
internal static class ConnectorOutcome
{
    public const string Trailer = "send-failure-bin";

    public static SendFailure Of(RpcException failure)
    {
        if (failure.Trailers.Get(Trailer)?.ValueBytes is { Length: > 0 } bytes)
        {
            try
            {
                var told = SendFailure.Parser.ParseFrom(bytes);
                if (told.Kind != SendFailureKind.Unspecified)
                {
                    return told;
                }
            }
            catch (Google.Protobuf.InvalidProtocolBufferException)
            {
                // Judged by the status below.
            }
        }

        return new SendFailure
        {
            Kind = failure.StatusCode switch
            {
                StatusCode.FailedPrecondition or StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.PermissionDenied
                    or StatusCode.OutOfRange or StatusCode.AlreadyExists => SendFailureKind.Refused,
                // The connector refused the call itself (its key, its method, its own throttle): the platform never saw it.
                StatusCode.Unauthenticated or StatusCode.Unimplemented or StatusCode.ResourceExhausted => SendFailureKind.NotSent,
                StatusCode.Unavailable when NeverConnected(failure.Status.DebugException) => SendFailureKind.NotSent,
                _ => SendFailureKind.Unknown,
            },
        };
    }

    /// <summary>The connector could not be connected to at all (refused, DNS): it never got the request.</summary>
    private static bool NeverConnected(Exception? failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }
                || e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TryAgain })
            {
                return true;
            }
        }

        return false;
    }
}
