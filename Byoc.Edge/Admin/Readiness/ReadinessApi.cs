using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Byoc.Edge.Admin.Readiness;

public static class ReadinessApi
{
    public static IServiceCollection AddReadinessCheck(this IServiceCollection services)
    {
        services.AddHttpClient(NetworkPublicUrlProbe.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(5))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddSingleton<IPublicUrlProbe, NetworkPublicUrlProbe>();
        services.AddSingleton<ReadinessCheck>();
        return services;
    }

    public static RouteGroupBuilder MapReadinessApi(this RouteGroupBuilder api)
    {
        api.MapGet("/readiness", Check)
            .WithName("CheckReadiness")
            .WithSummary("Check the public base URL against CXone's rules for an Integration Box URL")
            .WithDescription("Checks Edge:PublicBaseUrl, or baseUrl when given: https; not an AWS API Gateway default host (amazonaws.com, .execute-api.); " +
                             "a DNS A record; public addresses only; reachable over HTTP; the token endpoint answering. Each check passed, failed (with the reason) or skipped.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    public static async Task<Results<Ok<ReadinessReport>, ProblemHttpResult>> Check([FromQuery] string? baseUrl, ReadinessCheck readiness, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await readiness.CheckAsync(baseUrl, cancellationToken));
        }
        catch (Operations.AdminQueryException e)
        {
            return e.ToProblem();
        }
    }
}
