using System.Text.Json.Nodes;

namespace Byoc.Sandbox.Junglebook;

/// <summary>
/// Junglebook's REST API as a connector uses it (<c>/junglebook/api</c>, bearer = a profile's token), and the
/// customer side (<c>/junglebook/customer</c>) that the customer page and tests use to post, read and type.
/// </summary>
public static class JunglebookApi
{
    public static IEndpointRouteBuilder MapJunglebookApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/junglebook/api").WithTags("Sandbox: Junglebook platform API");

        api.MapGet("/me", (HttpRequest request, JunglebookNetwork network) =>
                Profile(request, network) is { } profile ? Results.Ok(new { profile, name = network.Options.Profiles[profile].Name }) : Unauthorized())
            .WithName("JunglebookMe").WithSummary("The profile a token belongs to.");

        api.MapGet("/users/{userId}", (string userId, HttpRequest request, JunglebookNetwork network) =>
                Profile(request, network) is null ? Unauthorized()
                : network.User(userId) is { } user ? Results.Ok(user) : Results.NotFound(new { error = "unknown user" }))
            .WithName("JunglebookUser").WithSummary("A Junglebook user, if one exists.");

        api.MapPost("/profiles/{profile}/messages", SendAsProfile).WithName("JunglebookProfileMessage").WithSummary("A profile writes into a thread, or to a user.");

        api.MapPost("/profiles/{profile}/typing", (string profile, TypingRequest typing, HttpRequest request, JunglebookNetwork network, JunglebookTyping indicators) =>
            {
                if (Profile(request, network) != profile)
                {
                    return Unauthorized();
                }

                if (network.Thread(typing.ThreadId) is not { } thread || thread.Profile != profile)
                {
                    return Results.NotFound(new { error = "unknown thread" });
                }

                indicators.Set(thread.Id, typing.On);
                return Results.NoContent();
            })
            .WithName("JunglebookProfileTyping").WithSummary("Shows the profile typing in a thread.");

        var customer = app.MapGroup("/junglebook/customer").WithTags("Sandbox: Junglebook customers");

        customer.MapPost("/messages", async (CustomerMessage message, JunglebookNetwork network, JunglebookWebhooks webhooks) =>
            {
                if (!network.Options.Profiles.ContainsKey(message.Profile))
                {
                    return Results.NotFound(new { error = $"no profile '{message.Profile}'" });
                }

                if (string.IsNullOrWhiteSpace(message.UserId) || (string.IsNullOrWhiteSpace(message.Text) && (message.Attachments?.Count ?? 0) == 0))
                {
                    return Results.BadRequest(new { error = "userId and text (or an attachment) are required" });
                }

                network.EnsureUser(message.UserId, message.UserName);
                var thread = message.ThreadId is { Length: > 0 } id
                    ? network.Thread(id) is { } found && found.Profile == message.Profile ? found : null
                    : network.OpenThread(message.Profile, message.UserId, message.Public, message.Title);
                if (thread is null)
                {
                    return Results.NotFound(new { error = "unknown thread" });
                }

                var post = network.Add(thread, message.UserId, fromProfile: false, message.Text ?? string.Empty,
                    [.. (message.Attachments ?? []).Select(a => new JunglebookFile(a.Name, a.Url))]);
                var webhookStatus = await webhooks.MessageAsync(thread, post);
                return Results.Ok(new { messageId = post.Id, threadId = thread.Id, webhookStatus });
            })
            .WithName("JunglebookCustomerMessage").WithSummary("A customer posts publicly or writes to a profile privately; the profile's subscriber gets a signed webhook.");

        customer.MapPost("/read", async (ReadRequest read, JunglebookNetwork network, JunglebookWebhooks webhooks) =>
            {
                if (network.Post(read.MessageId) is not { FromProfile: true } post || network.Thread(post.ThreadId) is not { } thread)
                {
                    return Results.NotFound(new { error = "no profile message with that id" });
                }

                post.Status = "read";
                return Results.Ok(new { webhookStatus = await webhooks.ReceiptAsync(thread.Profile, post, "read") });
            })
            .WithName("JunglebookCustomerRead").WithSummary("A customer reads a profile's message (a read receipt webhook).");

        customer.MapPost("/typing", async (CustomerTyping typing, JunglebookNetwork network, JunglebookWebhooks webhooks) =>
                network.Thread(typing.ThreadId) is { } thread
                    ? Results.Ok(new { webhookStatus = await webhooks.TypingAsync(thread, typing.On) })
                    : Results.NotFound(new { error = "unknown thread" }))
            .WithName("JunglebookCustomerTyping").WithSummary("A customer types in a thread (a typing webhook).");

        customer.MapGet("/threads/{threadId}", (string threadId, JunglebookNetwork network, JunglebookTyping indicators) =>
                network.Thread(threadId) is { } thread
                    ? Results.Ok(new { thread, profileTyping = indicators.IsOn(threadId), messages = network.Posts(threadId) })
                    : Results.NotFound(new { error = "unknown thread" }))
            .WithName("JunglebookThread").WithSummary("A thread as the customer sees it.");

        customer.MapDelete("/threads/{threadId}/messages", (string threadId, JunglebookNetwork network) =>
            {
                network.ClearPosts(threadId);
                return Results.NoContent();
            })
            .WithName("JunglebookClearThread").WithSummary("Forgets the messages of a thread (benchmarks do, between runs, to keep the simulator small).");

        customer.MapGet("/profiles/{profile}/threads", (string profile, JunglebookNetwork network) => Results.Ok(network.ThreadsOf(profile)))
            .WithName("JunglebookProfileThreads").WithSummary("The threads of a profile.");

        return app;
    }

    private static async Task<IResult> SendAsProfile(string profile, ProfileMessage message, HttpRequest request, JunglebookNetwork network, JunglebookWebhooks webhooks)
    {
        if (Profile(request, network) != profile)
        {
            return Unauthorized();
        }

        if ((message.Text?.Length ?? 0) > network.Options.MaxTextLength)
        {
            return Results.BadRequest(new { error = $"text is longer than {network.Options.MaxTextLength} characters" });
        }

        JunglebookThread? thread;
        if (message.ThreadId is { Length: > 0 } threadId)
        {
            thread = network.Thread(threadId);
            if (thread is null || thread.Profile != profile)
            {
                return Results.NotFound(new { error = "unknown thread" });
            }
        }
        else if (message.RecipientUserId is { Length: > 0 } userId && network.User(userId) is not null)
        {
            thread = network.OpenThread(profile, userId, isPublic: false, title: null);
        }
        else
        {
            return Results.NotFound(new { error = "unknown recipient" });
        }

        var post = network.Add(thread, profile, fromProfile: true, message.Text ?? string.Empty,
            [.. (message.Attachments ?? []).Select(a => new JunglebookFile(a.Name, a.Url))]);
        post.Status = "delivered";
        // The platform confirms delivery a moment later, as real networks do.
        if (network.Options.DeliveryReceipts)
        {
            _ = Task.Run(() => webhooks.ReceiptAsync(profile, post, "delivered"));
        }

        return Results.Created($"/junglebook/customer/threads/{thread.Id}", new JsonObject
        {
            ["id"] = post.Id,
            ["threadId"] = thread.Id,
            ["createdAt"] = post.CreatedAt,
            ["url"] = $"{request.Scheme}://{request.Host}/junglebook/customer/threads/{thread.Id}#{post.Id}",
        });
    }

    private static string? Profile(HttpRequest request, JunglebookNetwork network)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? network.ProfileOfToken(header[7..].Trim()) : null;
    }

    private static IResult Unauthorized() => Results.Json(new { error = "invalid token" }, statusCode: StatusCodes.Status401Unauthorized);

    public sealed record ProfileMessage(string? ThreadId, string? RecipientUserId, string? Text, IReadOnlyList<FileRef>? Attachments, string? ReplyTo);

    public sealed record FileRef(string Name, string Url);

    public sealed record TypingRequest(string ThreadId, bool On);

    public sealed record CustomerMessage(string Profile, string UserId, string? UserName, string? Text, bool Public, string? ThreadId, string? Title, IReadOnlyList<FileRef>? Attachments);

    public sealed record ReadRequest(string MessageId);

    public sealed record CustomerTyping(string ThreadId, bool On);
}

/// <summary>Which threads show the profile typing (for the customer page).</summary>
public sealed class JunglebookTyping
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _on = new(StringComparer.Ordinal);

    public void Set(string threadId, bool on) => _on[threadId] = on;

    public bool IsOn(string threadId) => _on.GetValueOrDefault(threadId);
}
