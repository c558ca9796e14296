var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");
builder.Services.AddGrpc();
builder.Services.AddGrpcHealthChecks(o => o.UseHealthChecksCache = false);

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcHealthChecksService();

app.Run();
