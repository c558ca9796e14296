using Byoc.Edge.Admin;
using Byoc.Edge.Apis;
using Byoc.Edge.Extensions;
using Byoc.Edge.Identity;
using Byoc.Edge.OpenApi;
using Byoc.Edge.Webhooks;
using Scalar.AspNetCore;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");
// Redis restarting is an outage the caller retries (503), not a bug (500).
builder.AnswerOutagesOf<RedisException>();
builder.AddEdgeOptions();
builder.AddTrustedProxies();
builder.AddConversationsClients();
builder.AddCxoneTokenServer();
builder.AddCxoneCallbacks();
builder.AddEdgeOpenApi();
builder.AddSettingsRateLimit();
builder.AddAdmin();
builder.Services.AddHttpForwarder();
builder.Services.AddSingleton<ConnectorWebhooks>();

var app = builder.Build();

// First: every address-keyed decision below must see the client's address, as only a trusted proxy may state it.
app.UseForwardedHeaders();
app.MapDefaultEndpoints();
// Before authentication: OpenIddict answers token requests inside the authentication middleware.
app.UseMiddleware<CxoneTokenRequests>();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapTokenApi();
app.MapCxoneCallbacksApi();
app.MapConnectorWebhooksApi();
app.MapSettingsApi();
app.MapAdmin();
app.MapOpenApi();
app.MapScalarApiReference();

app.Run();

/// <summary>The Edge's entry point, named so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
