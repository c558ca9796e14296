using Byoc.Conversations.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using Microsoft.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Byoc.Edge.Identity;

/// <summary>The integration whose client credentials a token request proved; read by the token endpoint.</summary>
public sealed record VerifiedIntegration(string IntegrationId, string TenantId, long SecretGeneration);

/// <summary>
/// Checks a token request's client id and secret with Conversations, which owns the hashed secrets and the rotation
/// overlap (OpenIddict's degraded mode leaves client authentication to us). Failures are counted for the limiter.
/// </summary>
public sealed partial class VerifyCxoneClient(
    Integrations.IntegrationsClient integrations,
    FailedTokenAttempts failures,
    IOptions<EdgeOptions> options,
    TimeProvider time,
    ILogger<VerifyCxoneClient> logger) : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        var http = context.Transaction.GetHttpRequest()?.HttpContext
            ?? throw new InvalidOperationException("The token request has no HTTP context.");
        var address = http.Connection.RemoteIpAddress;

        if (string.IsNullOrEmpty(context.ClientId) || string.IsNullOrEmpty(context.Request.ClientSecret))
        {
            await Task.Delay(await failures.RecordAsync(context.ClientId, address), time, http.RequestAborted);
            context.Reject(Errors.InvalidClient, "The client id and secret are required.");
            return;
        }

        VerifyClientCredentialsResponse answer;
        try
        {
            answer = await integrations.VerifyClientCredentialsAsync(
                new VerifyClientCredentialsRequest { ClientId = context.ClientId, ClientSecret = context.Request.ClientSecret },
                cancellationToken: http.RequestAborted);
        }
        catch (RpcException e)
        {
            LogVerificationUnavailable(logger, e.StatusCode);
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(options.Value.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Reject(Errors.TemporarilyUnavailable, "Client credentials cannot be checked right now; retry later.");
            return;
        }

        if (!answer.Valid)
        {
            // Only a wrong attempt waits, after the check: the right secret is never slowed down.
            var delay = await failures.RecordAsync(context.ClientId, address);
            LogInvalidClient(logger, answer.KnownClient ? LoggedClientId.Of(context.ClientId) : LoggedClientId.Unknown(context.ClientId), address?.ToString() ?? "unknown", (long)delay.TotalMilliseconds);
            await Task.Delay(delay, time, http.RequestAborted);
            context.Reject(Errors.InvalidClient, "The client id or secret is not valid.");
            return;
        }

        http.Items[typeof(VerifiedIntegration)] = new VerifiedIntegration(answer.IntegrationId, answer.TenantId, answer.SecretGeneration);
    }

    [LoggerMessage(EventId = 4102, EventName = "SecurityInvalidClient", Level = LogLevel.Warning,
        Message = "Security: token request with invalid credentials for client {ClientId} from {Address}; answered after {DelayMs} ms")]
    private static partial void LogInvalidClient(ILogger logger, string clientId, string address, long delayMs);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Client credentials could not be verified: Conversations answered {StatusCode}")]
    private static partial void LogVerificationUnavailable(ILogger logger, StatusCode statusCode);
}

/// <summary>
/// A client id as logged: it is attacker-chosen text, so only printable ASCII is kept (anything else becomes '?',
/// which rules out forged log lines and terminal escapes) and it is cut at <see cref="MaxLength"/> characters.
/// </summary>
public static class LoggedClientId
{
    public const int MaxLength = 64;

    /// <summary>
    /// A client id no integration has, shown only by a fingerprint: it may be a secret typed into the wrong field
    /// (the same fingerprint for the same text, so repeated attempts can still be told apart).
    /// </summary>
    public static string Unknown(string? clientId) =>
        string.IsNullOrEmpty(clientId)
            ? "(none)"
            : $"(unknown, sha256 {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(clientId)))[..12]})";

    public static string Of(string? clientId)
    {
        if (string.IsNullOrEmpty(clientId))
        {
            return "(none)";
        }

        var kept = clientId.Length > MaxLength ? clientId[..MaxLength] : clientId;
        var clean = string.Create(kept.Length, kept, static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = text[i] is >= ' ' and <= '~' ? text[i] : '?';
            }
        });
        return clientId.Length > MaxLength ? $"{clean}...({clientId.Length} chars)" : clean;
    }
}
