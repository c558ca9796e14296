using Byoc.Conversations.V1;
using Byoc.Edge.Cxone;
using Byoc.Edge.HealthChecks;
using Byoc.Edge.Identity;
using Byoc.ServiceDefaults;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using OpenIddict.Validation.AspNetCore;
using StackExchange.Redis;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Byoc.Edge.Extensions;

public static class EdgeExtensions
{
    public const string CxoneCallerPolicy = "CxoneCaller";
    private const string DataProtectionKeysRedisKey = "byoc:v1:edge:data-protection-keys";

    public static WebApplicationBuilder AddEdgeOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EdgeOptions>().BindConfiguration(EdgeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<CxoneTokenOptions>().BindConfiguration(CxoneTokenOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.AuthorizationPaths.All(p => p.StartsWith('/') && p.Length > 1 && !p.Contains('?', StringComparison.Ordinal)),
                $"{CxoneTokenOptions.Section}:AuthorizationPaths: every path must start with '/' and carry no query.")
            .ValidateOnStart();
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateDataAnnotations()
            .Validate(o => string.IsNullOrEmpty(o.ApiKey) || o.ApiKey.Length >= 32,
                $"{AdminOptions.Section}:ApiKey must be at least 32 characters (or empty to turn the admin API off).")
            .ValidateOnStart();

        // Kestrel refuses oversized bodies on every route, not only the ones that read them by hand.
        var limit = builder.Configuration.GetValue($"{EdgeOptions.Section}:{nameof(EdgeOptions.MaxRequestBodyBytes)}", new EdgeOptions().MaxRequestBodyBytes);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = limit);
        return builder;
    }

    /// <summary>The Edge's only way to Conversations: the generated gRPC clients, each call with a deadline.</summary>
    public static WebApplicationBuilder AddConversationsClients(this WebApplicationBuilder builder)
    {
        var deadline = builder.Configuration.GetValue($"{EdgeOptions.Section}:{nameof(EdgeOptions.ConversationsDeadline)}", new EdgeOptions().ConversationsDeadline);
        // Every side-effecting call carries an idempotency key, so one answered Unavailable (a replica gone) is
        // retried, on another replica, instead of failing CXone's call.
        builder.Services.AddGrpcServiceClient<Integrations.IntegrationsClient>("conversations", deadline, retryUnavailable: true);
        builder.Services.AddGrpcServiceClient<Outbound.OutboundClient>("conversations", deadline, retryUnavailable: true);
        builder.Services.AddGrpcServiceClient<Operations.OperationsClient>("conversations", deadline, retryUnavailable: true);
        // Not retried: creating a point of contact is not idempotent at CXone.
        builder.Services.AddGrpcServiceClient<Byoc.Administration.V1.Administration.AdministrationClient>("conversations", deadline);
        // The Edge cannot serve CXone while it cannot reach Conversations: its readiness says so. One replica
        // down is not that: the retry finds the other.
        builder.Services.AddGrpcServiceClient<Health.HealthClient>("conversations", TimeSpan.FromSeconds(3), retryUnavailable: true);
        builder.Services.AddHealthChecks().AddCheck<ConversationsHealthCheck>("conversations");
        return builder;
    }

    /// <summary>
    /// The OAuth 2.0 client-credentials endpoint CXone takes tokens from, and the validation of those tokens on the
    /// callbacks: OpenIddict in degraded mode (no database; Conversations checks the credentials) with keys shared
    /// by every replica through Redis.
    /// </summary>
    public static WebApplicationBuilder AddCxoneTokenServer(this WebApplicationBuilder builder)
    {
        builder.Services.AddDataProtection().SetApplicationName("Byoc.Edge").ProtectKeysWithConfiguredCertificate(builder.Configuration, builder.Environment);
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer>((o, redis) =>
            o.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), DataProtectionKeysRedisKey));
        builder.Services.AddSingleton<TokenKeyRing>();
        builder.Services.AddHostedService<TokenKeysBeforeTraffic>();
        builder.Services.AddSingleton<FailedTokenAttempts>();

        var tokenOptions = builder.Configuration.GetSection(CxoneTokenOptions.Section).Get<CxoneTokenOptions>() ?? new CxoneTokenOptions();
        builder.Services.AddOpenIddict()
            .AddServer(server =>
            {
                server.EnableDegradedMode();
                server.AllowClientCredentialsFlow();
                server.SetTokenEndpointUris([.. tokenOptions.AllPaths().Select(p => p.TrimStart('/'))]);
                server.SetAccessTokenLifetime(tokenOptions.AccessTokenLifetime);
                // CXone reads the token as an opaque string; a signed JWT lets every replica validate it locally.
                server.DisableAccessTokenEncryption();
                if (tokenOptions.Issuer is not null)
                {
                    server.SetIssuer(tokenOptions.Issuer);
                }

                server.AddEventHandler<ValidateTokenRequestContext>(handler => handler.UseScopedHandler<VerifyCxoneClient>());
                server.AddEventHandler<ApplyTokenResponseContext>(handler => handler
                    .UseSingletonHandler<TemporarilyUnavailableAs503>().SetOrder(TemporarilyUnavailableAs503.Order));
                server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    // TLS ends at the ingress (Container Apps, a reverse proxy); the Edge itself listens on plain http.
                    .DisableTransportSecurityRequirement();
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.UseAspNetCore();
            });

        // The keys come from Redis, so they are added once the container can resolve the key ring.
        builder.Services.AddOptions<OpenIddictServerOptions>().Configure<TokenKeyRing>((server, keys) =>
        {
            server.SigningCredentials.Add(new SigningCredentials(keys.SigningKey, SecurityAlgorithms.EcdsaSha256));
            server.EncryptionCredentials.Add(new EncryptingCredentials(keys.EncryptionKey, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
        });

        builder.Services.AddSingleton<Microsoft.Extensions.Options.IOptionsMonitorCache<OpenIddictServerOptions>, OptionsCacheWithoutFailures<OpenIddictServerOptions>>();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IOptionsMonitorCache<OpenIddict.Validation.OpenIddictValidationOptions>,
            OptionsCacheWithoutFailures<OpenIddict.Validation.OpenIddictValidationOptions>>();

        builder.Services.AddSingleton<ValidatedBearerTokens>();
        builder.Services.AddSingleton<SecretGenerations>();
        // The default scheme too: the authentication middleware authenticates every request with it.
        builder.Services.AddAuthentication(CxoneBearerHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, CxoneBearerHandler>(CxoneBearerHandler.SchemeName, o =>
            {
                o.ForwardChallenge = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;
                o.ForwardForbid = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;
            });
        builder.Services.AddAuthorizationBuilder().AddPolicy(CxoneCallerPolicy, policy => policy
            .AddAuthenticationSchemes(CxoneBearerHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireClaim(IntegrationClaims.IntegrationId));
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ChallengeInsteadOfForbid>();
        return builder;
    }

    public static WebApplicationBuilder AddCxoneCallbacks(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CxoneRequestReader>();
        builder.Services.AddSingleton<SenderActions>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Dfo3Observations>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, CxoneJson.Default));
        return builder;
    }
}
