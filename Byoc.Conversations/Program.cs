using Byoc.Conversations.Extensions;
using Byoc.Conversations.Grpc;
using Byoc.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");
builder.AddConversations();
builder.Services.AddGrpc(o =>
{
    o.Interceptors.Add<Byoc.ServiceDefaults.InternalCallerInterceptor>();
    o.Interceptors.Add<RedisFailuresAsUnavailable>();
});
builder.Services.AddInternalCallers(InternalCallerPolicy.Rights);
builder.Services.AddGrpcHealthChecks(o => o.UseHealthChecksCache = false);

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcHealthChecksService();
app.MapGrpcService<InboundService>();
app.MapGrpcService<OutboundService>();
app.MapGrpcService<IntegrationsService>();
app.MapGrpcService<OperationsService>();
app.MapGrpcService<AccountsService>();
app.MapGrpcService<Byoc.Conversations.Administration.AdministrationService>();

app.Run();

/// <summary>Named so that tests can host the service with WebApplicationFactory.</summary>
public partial class Program;
