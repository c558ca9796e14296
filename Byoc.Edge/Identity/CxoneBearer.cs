using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;

namespace Byoc.Edge.Identity;

/// <summary>
/// Access tokens the Edge has already validated, for up to <see cref="KeepFor"/> and never past their expiry. CXone
/// sends the same token on every callback for an hour, and OpenIddict's validation pipeline (about thirty handlers
/// and an ES256 verification) was the largest part of a callback's CPU in the profile (docs/benchmarks.md). Only a
/// token that passed validation is kept, under its exact string, so a cached answer is the answer validation gave.
/// </summary>
public sealed class ValidatedBearerTokens(TimeProvider time)
{
    /// <summary>How long a validated token skips validation: also how long a revoked key could still be honoured.</summary>
    public static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(60);

    // CXone holds one token per integration at a time; the bound only guards memory.
    private const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, (ClaimsPrincipal Principal, DateTimeOffset Until)> _tokens = new(StringComparer.Ordinal);

    public bool TryGet(string token, out ClaimsPrincipal principal)
    {
        if (_tokens.TryGetValue(token, out var entry))
        {
            if (entry.Until > time.GetUtcNow())
            {
                principal = Copy(entry.Principal);
                return true;
            }

            _tokens.TryRemove(new KeyValuePair<string, (ClaimsPrincipal, DateTimeOffset)>(token, entry));
        }

        principal = null!;
        return false;
    }

    public void Add(string token, ClaimsPrincipal principal, DateTimeOffset? expires)
    {
        var until = time.GetUtcNow() + KeepFor;
        if (expires is { } end && end < until)
        {
            until = end;
        }

        if (until <= time.GetUtcNow())
        {
            return;
        }

        if (_tokens.Count >= Capacity)
        {
            _tokens.Clear();
        }

        _tokens[token] = (Copy(principal), until);
    }

    // ClaimsPrincipal.Clone shares the identities: each request gets identities of its own.
    private static ClaimsPrincipal Copy(ClaimsPrincipal principal) => new(principal.Identities.Select(i => i.Clone()));
}

/// <summary>
/// The scheme the callbacks authenticate with: a token validated within the last minute is accepted as it was, any
/// other goes through OpenIddict's validation (whose challenge, with its error, answers when it fails).
/// </summary>
public sealed partial class CxoneBearerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ValidatedBearerTokens tokens, SecretGenerations generations)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "CxoneBearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0 && Context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>() is null)
        {
            // Webhooks, the token endpoint, probes: nothing to validate. (A callback without a bearer still goes to
            // OpenIddict, whose challenge then says why.)
            return AuthenticateResult.NoResult();
        }

        // As OpenIddict reads it (no trimming), so that the cache and the validation see the same string.
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..] : null;
        if (!string.IsNullOrEmpty(token) && tokens.TryGet(token, out var known))
        {
            return await generations.AcceptsAsync(known, Context.RequestAborted)
                ? AuthenticateResult.Success(new AuthenticationTicket(known, SchemeName))
                : Revoked();
        }

        var result = await Context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        if (!result.Succeeded)
        {
            // OpenIddict's own log is kept at Warning (it logs every request at Information): say why here.
            if (result.Failure is { } failure)
            {
                LogRefused(Logger, Request.Path, failure.Message);
            }

            return result.None ? AuthenticateResult.NoResult() : AuthenticateResult.Fail(result.Failure ?? new InvalidOperationException("The access token is not valid."));
        }

        if (!await generations.AcceptsAsync(result.Principal, Context.RequestAborted))
        {
            return Revoked();
        }

        if (!string.IsNullOrEmpty(token))
        {
            tokens.Add(token, result.Principal, result.Properties?.ExpiresUtc ?? result.Principal.GetExpirationDate());
        }

        return AuthenticateResult.Success(new AuthenticationTicket(result.Principal, result.Properties, SchemeName));
    }

    private AuthenticateResult Revoked()
    {
        const string reason = "The client secret this token was issued to is no longer accepted.";
        LogRefused(Logger, Request.Path, reason);
        // OpenIddict's challenge would see a well-signed token and answer 403: CXone needs 401 to fetch a new one.
        Context.Items[ChallengeInsteadOfForbid.RevokedTokenKey] = reason;
        return AuthenticateResult.Fail(reason);
    }

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "A callback to {Path} was refused its bearer token: {Reason}")]
    private static partial void LogRefused(ILogger logger, PathString path, string reason);
}
