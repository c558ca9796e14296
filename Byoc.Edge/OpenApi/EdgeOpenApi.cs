using Microsoft.OpenApi;

namespace Byoc.Edge.OpenApi;

public static class EdgeOpenApi
{
    public const string BearerScheme = "Bearer";
    public const string AdminKeyScheme = "AdminApiKey";

    /// <summary>The OpenAPI document: what CXone calls, with the two ways callers authenticate.</summary>
    public static WebApplicationBuilder AddEdgeOpenApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Byoc Edge";
            document.Info.Description = "The CXone BYOC integration box (shared/cxone-contract.md §2) and the admin API.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token from POST /1.0/token (client credentials).",
            };
            document.Components.SecuritySchemes[AdminKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Api-Key",
                Description = "The key configured in Edge:Admin:ApiKey.",
            };
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>Marks the operations of a group as requiring one security scheme of the document.</summary>
    public static RouteGroupBuilder WithSecurityScheme(this RouteGroupBuilder group, string scheme) =>
        group.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });
            return Task.CompletedTask;
        });
}
