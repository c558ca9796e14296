using System.Globalization;
using System.Text.Json.Nodes;

namespace Byoc.Sandbox.Cxone;

/// <summary>
/// What an agent does on the simulated CXone desktop, as an API the agent console page (and tests) call: reply in a
/// thread, start a conversation (recipient validation first, as CXone does), show typing. Each answer carries the
/// calls CXone made to the middleware, so a person can watch the 401 → token → retry dance.
/// </summary>
public static class AgentConsoleApi
{
    public static IEndpointRouteBuilder MapAgentConsoleApi(this IEndpointRouteBuilder app)
    {
        var agent = app.MapGroup("/sandbox/cxone/agent").WithTags("Sandbox: CXone agent");

        agent.MapPost("/reply", async (AgentReply reply, MiddlewareCalls middleware, CxoneTenant tenant) =>
            {
                var answer = await middleware.ReplyAsync(reply.ChannelId, reply.ThreadId, reply.Text, Recipients(reply.RecipientId, reply.RecipientName));
                Remember(answer, reply.ChannelId, reply.ThreadId, reply.Text, tenant);
                return Results.Ok(answer);
            })
            .WithName("SandboxAgentReply").WithSummary("The agent replies in a thread (legacy or DFO 3.0 API, per the integration's checkbox).");

        agent.MapPost("/start", async (AgentStart start, MiddlewareCalls middleware, CxoneTenant tenant) =>
            {
                var recipients = Recipients(start.RecipientId, start.RecipientName);
                var validation = await middleware.ValidateRecipientsAsync(start.ChannelId, recipients);
                if (validation.Status != StatusCodes.Status200OK)
                {
                    // CXone stops the message and shows the middleware's reason.
                    return Results.Ok(new { sent = false, validation });
                }

                var answer = await middleware.ReplyAsync(start.ChannelId, null, start.Text, recipients);
                var thread = answer.Body?["thread"]?["idOnExternalPlatform"]?.GetValue<string>();
                Remember(answer, start.ChannelId, thread, start.Text, tenant);
                return Results.Ok(new { sent = answer.Status == StatusCodes.Status200OK, validation, answer });
            })
            .WithName("SandboxAgentStart").WithSummary("The agent starts a conversation: recipient validation, then the outbound message.");

        agent.MapPost("/typing", async (AgentTyping typing, MiddlewareCalls middleware) =>
                Results.Ok(await middleware.TypingAsync(typing.ChannelId, typing.ThreadId, typing.On)))
            .WithName("SandboxAgentTyping").WithSummary("The agent is typing.");

        agent.MapPost("/settings-link", (HttpRequest request, CxoneTenant tenant, Microsoft.Extensions.Options.IOptionsMonitor<CxoneIntegrationOptions> integration, IConfiguration configuration) =>
            {
                var action = integration.CurrentValue.ActionUrl is { Length: > 0 } configured
                    ? configured
                    : configuration["services:edge:http:0"] is { Length: > 0 } edge ? $"{edge.TrimEnd('/')}/settings" : null;
                if (action is null)
                {
                    return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No Action URL is configured (Sandbox:Cxone:Integration:ActionUrl).");
                }

                // As CXone's Points of Contact Digital page does: a fresh one-time token, the admin's ids, the way back.
                var token = tenant.CreateOneTimeToken(userId: 1, "channel-integration");
                var back = $"{request.Scheme}://{request.Host}/agent.html";
                return Results.Ok(new { url = $"{action}?userId={token.UserId}&brandId={token.BrandId}&token={Uri.EscapeDataString(token.Token)}&apiHost={Uri.EscapeDataString(integration.CurrentValue.ApiHost)}&backUrl={Uri.EscapeDataString(back)}" });
            })
            .WithName("SandboxAgentSettingsLink").WithSummary("The link CXone opens for the integration's settings (Action URL with a one-time token).");

        agent.MapPut("/dfo3-outbound", (Dfo3Checkbox checkbox, MiddlewareCalls middleware) =>
            {
                middleware.UseDfo3Outbound = checkbox.Enabled;
                return Results.NoContent();
            })
            .WithName("SandboxAgentDfo3Checkbox").WithSummary("Ticks or clears the integration's \"Use DFO 3.0 Outbound API for replies\" checkbox.");

        agent.MapPost("/forget-token", (MiddlewareCalls middleware) =>
            {
                middleware.ForgetToken();
                return Results.NoContent();
            })
            .WithName("SandboxAgentForgetToken").WithSummary("CXone forgets the middleware's token; its next callback goes without one.");

        return app;
    }

    private static IReadOnlyList<(string, string)> Recipients(string? id, string? name) =>
        string.IsNullOrEmpty(id) ? [] : [(id, name ?? id)];

    // The agent's message joins the conversation as CXone shows it, under the id the middleware gave it.
    private static void Remember(MiddlewareAnswer answer, string channelId, string? threadId, string text, CxoneTenant tenant)
    {
        var id = answer.Body?["message"]?["idOnExternalPlatform"]?.GetValue<string>() ?? answer.Body?["idOnExternalPlatform"]?.GetValue<string>();
        if (answer.Status != StatusCodes.Status200OK || id is null || threadId is null)
        {
            return;
        }

        tenant.Log(channelId).Store(new JsonObject
        {
            ["idOnExternalPlatform"] = id,
            ["direction"] = "outbound",
            ["createdAtWithMilliseconds"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
            ["thread"] = new JsonObject { ["idOnExternalPlatform"] = threadId },
            ["messageContent"] = new JsonObject { ["type"] = "TEXT", ["payload"] = new JsonObject { ["text"] = text } },
        }, DateTimeOffset.UtcNow);
    }

    public sealed record AgentReply(string ChannelId, string? ThreadId, string Text, string? RecipientId, string? RecipientName);

    public sealed record AgentStart(string ChannelId, string RecipientId, string? RecipientName, string Text);

    public sealed record AgentTyping(string ChannelId, string ThreadId, bool On);

    public sealed record Dfo3Checkbox(bool Enabled);
}
