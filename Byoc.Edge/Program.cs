using Byoc.Edge.HealthChecks;
using Grpc.Health.V1;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddGrpcServiceClient<Health.HealthClient>("conversations", TimeSpan.FromSeconds(3));
builder.Services.AddHealthChecks().AddCheck<ConversationsHealthCheck>("conversations");
builder.Services.AddOpenApi();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapScalarApiReference();

app.Run();
