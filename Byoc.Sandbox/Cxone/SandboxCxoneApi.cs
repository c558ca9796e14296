using System.Text.Json.Nodes;

namespace Byoc.Sandbox.Cxone;

/// <summary>The simulator's own admin API, for tests and people: what CXone received, faults, one-time tokens.</summary>
public static class SandboxCxoneApi
{
    public static IEndpointRouteBuilder MapSandboxCxoneApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/sandbox/cxone").WithTags("Sandbox: CXone simulator");

        api.MapGet("/channels", (CxoneTenant tenant) => TypedResults.Json(new JsonArray([.. tenant.Channels().Select(c => c.DeepClone())]), CxoneJson.Default.JsonArray))
            .WithName("SandboxCxoneChannels").WithSummary("Points of contact registered at the simulated CXone.");

        api.MapGet("/channels/{channelId}/messages", (string channelId, CxoneTenant tenant) =>
                TypedResults.Json(new JsonObject
                {
                    ["messages"] = new JsonArray([.. tenant.Log(channelId).Messages()]),
                    ["updates"] = tenant.Log(channelId).Updates,
                }, CxoneJson.Default.JsonObject))
            .WithName("SandboxCxoneMessages").WithSummary("Messages CXone stored on a channel, in arrival order, and how many repeats updated one.");

        api.MapDelete("/channels/{channelId}/messages", (string channelId, CxoneTenant tenant) =>
            {
                tenant.ClearLog(channelId);
                return Results.NoContent();
            })
            .WithName("SandboxCxoneClearMessages").WithSummary("Forgets what CXone received on a channel (benchmarks do, between runs, to keep the simulator small).");

        api.MapGet("/channels/{channelId}/statuses", (string channelId, CxoneTenant tenant) =>
                TypedResults.Json(new JsonArray([.. tenant.Log(channelId).Statuses()]), CxoneJson.Default.JsonArray))
            .WithName("SandboxCxoneStatuses").WithSummary("Delivery statuses CXone received on a channel.");

        api.MapGet("/channels/{channelId}/sender-actions", (string channelId, CxoneTenant tenant) =>
                TypedResults.Json(new JsonArray([.. tenant.Log(channelId).SenderActions()]), CxoneJson.Default.JsonArray))
            .WithName("SandboxCxoneSenderActions").WithSummary("Typing indicators CXone received on a channel.");

        api.MapGet("/stats", (CxoneTenant tenant, CxoneFaults faults) =>
                TypedResults.Json(new JsonObject
                {
                    ["tokensIssued"] = tenant.TokensIssued,
                    ["tokensIssuedByAccessKey"] = new JsonObject([.. tenant.TokensIssuedByKey.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
                    ["faultsRemaining"] = faults.Remaining,
                    ["faultsApplied"] = new JsonObject([.. faults.Applied.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
                    ["messagesByChannel"] = new JsonObject([.. tenant.Channels().Select(c => c["id"]!.GetValue<string>())
                        .Select(id => KeyValuePair.Create(id, (JsonNode?)tenant.Log(id).Count))]),
                    ["repeatedMessagesByChannel"] = new JsonObject([.. tenant.Channels().Select(c => c["id"]!.GetValue<string>())
                        .Select(id => KeyValuePair.Create(id, (JsonNode?)tenant.Log(id).Updates))]),
                }, CxoneJson.Default.JsonObject))
            .WithName("SandboxCxoneStats").WithSummary("Counters: tokens issued, faults not yet used and applied (by kind), messages stored per channel, messages posted again with an idOnExternalPlatform already stored (per channel).");

        api.MapPost("/faults", (CxoneFault fault, CxoneFaults faults) =>
            {
                if (fault.Kind is not ("status" or "delay" or "drop"))
                {
                    return Invalid("kind", "kind must be status, delay or drop.");
                }

                if (fault.ForSeconds is { } seconds ? seconds is <= 0 or > 86_400 : fault.Count < 1)
                {
                    return Invalid(fault.ForSeconds is null ? "count" : "forSeconds", "count must be at least 1, or forSeconds between 0 and 86400 (a window: every matching call in it).");
                }

                faults.Add(fault);
                return Results.NoContent();
            })
            .WithName("SandboxCxoneAddFault").WithSummary("Makes the next matching CXone calls (count), or every one for a while (forSeconds), fail: status (e.g. 429 with retryAfterSeconds, 500, or 400 for messages whose body carries bodyContains), delay (longer than the caller's timeout: a timeout), or drop.");

        api.MapGet("/faults/refusals", (CxoneFaults faults) =>
                TypedResults.Json(new JsonArray([.. faults.Refusals.Select(r => (JsonNode)new JsonObject
                {
                    ["statusCode"] = r.StatusCode,
                    ["path"] = r.Path,
                    ["idOnExternalPlatform"] = r.IdOnExternalPlatform,
                    ["at"] = r.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                })]), CxoneJson.Default.JsonArray))
            .WithName("SandboxCxoneFaultRefusals").WithSummary("Every call a fault answered with a 4xx other than 429 (a refusal for good), with the message's idOnExternalPlatform.");

        api.MapDelete("/faults", (CxoneFaults faults) =>
            {
                faults.Clear();
                return Results.NoContent();
            })
            .WithName("SandboxCxoneClearFaults").WithSummary("Clears every pending fault.");

        api.MapPost("/tokens/expire", (CxoneTenant tenant) =>
            {
                tenant.ExpireTokens();
                return Results.NoContent();
            })
            .WithName("SandboxCxoneExpireTokens").WithSummary("Expires every access token now.");

        api.MapPost("/one-time-tokens", (int userId, CxoneTenant tenant) =>
                TypedResults.Ok(tenant.CreateOneTimeToken(userId, "channel-integration")))
            .WithName("SandboxCxoneCreateOneTimeToken").WithSummary("Issues a one-time token, as CXone does when an admin opens the Action URL.");

        api.MapPost("/reset", (CxoneTenant tenant, CxoneFaults faults) =>
            {
                tenant.Reset();
                faults.Clear();
                return Results.NoContent();
            })
            .WithName("SandboxCxoneReset").WithSummary("Forgets everything.");

        return app;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Invalid(string field, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid fault", detail: detail,
            extensions: new Dictionary<string, object?> { ["field"] = field, ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } });
}
