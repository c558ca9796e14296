using Microsoft.AspNetCore;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Byoc.Edge.Identity;

/// <summary>
/// OpenIddict answers every error but a few with 400; a token request refused because Conversations could not check
/// the credentials is an outage, not a client mistake, so it answers 503 (with the Retry-After set earlier), which
/// CXone retries.
/// </summary>
public sealed class TemporarilyUnavailableAs503 : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public static int Order => OpenIddict.Server.AspNetCore.OpenIddictServerAspNetCoreHandlers.AttachHttpResponseCode<ApplyTokenResponseContext>.Descriptor.Order + 1;

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        if (context.Transaction.Response?.Error == Errors.TemporarilyUnavailable && context.Transaction.GetHttpRequest()?.HttpContext is { } http)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }

        return ValueTask.CompletedTask;
    }
}
