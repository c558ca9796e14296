using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Byoc.Sandbox.Cxone;

/// <summary>
/// The subset of CXone's Digital Engagement API (DFO 3.0) a BYOC middleware calls (cxone-contract §3.2–§3.5),
/// with the validation CXone does and its error body on bad input.
/// </summary>
public static class DigitalApi
{
    public static readonly IReadOnlySet<string> Icons = new HashSet<string>(StringComparer.Ordinal)
    {
        "amazon", "apple", "apple-apps", "apple-imessage", "co-browsing", "contact-form", "email", "facebook", "facebook-dm",
        "facebook-messenger", "forum", "google", "google-dm", "google-maps", "google-play", "google-search", "instagram",
        "instagram-dm", "kakao-talk", "kik", "line-message", "linkedin", "listening", "livechat", "livechat-contact-form",
        "ok-ru", "pinterest", "rcs", "rss", "slack", "sms", "snapchat", "tango", "telegram", "tumblr", "twitter", "twitter-dm",
        "viber", "vkontakte", "vkontakte-dm", "voice", "wechat", "whatsapp", "youtube",
    };

    /// <summary>The fields of the published NewChannel: all a strict tenant accepts (<see cref="CxoneSimulatorOptions.StrictChannelFields"/>).</summary>
    public static readonly IReadOnlySet<string> NewChannelFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "id", "idOnExternalPlatform", "channelIntegrationId", "realExternalPlatformId", "name", "isPrivate", "hasTreeStructure",
        "externalPlatformIcon", "hasOutboundFlow", "hasManualOutboundFlow", "hasAbilityToSendFiles", "hasReply", "contentFormat",
    };

    private static readonly HashSet<string> ContentTypes = new(StringComparer.Ordinal) { "TEXT", "QUICK_REPLIES", "LIST_PICKER", "RICH_LINK", "PLUGIN", "ADAPTIVE_CARD" };
    private static readonly HashSet<string> Statuses = new(StringComparer.Ordinal) { "delivered", "seen", "failed" };
    private static readonly HashSet<string> SenderActions = new(StringComparer.Ordinal) { "isTypingOn", "isTypingOff" };

    public static IEndpointRouteBuilder MapDigitalApi(this IEndpointRouteBuilder app)
    {
        // Verification of the one-time token carries no bearer (cxone-contract §2.6).
        app.MapPost("/dfo/3.0/one-time-token/verification", VerifyOneTimeToken)
            .WithName("CxoneVerifyOneTimeToken").WithSummary("Verifies the one-time token of a settings-page opening.");

        var api = app.MapGroup("/dfo/3.0").AddEndpointFilter(RequireBearer);
        api.MapPost("/channels", UpsertChannel).WithName("CxoneUpsertChannel").WithSummary("Creates or updates a point of contact.");
        api.MapGet("/channels", (CxoneTenant tenant) => TypedResults.Json(new JsonArray([.. tenant.Channels().Select(c => c.DeepClone())]), CxoneJson.Default.JsonArray))
            .WithName("CxoneListChannels").WithSummary("Lists points of contact (a bare array).");
        api.MapDelete("/channels/{channelId}", (string channelId, CxoneTenant tenant) =>
                tenant.DeleteChannel(channelId) ? Results.NoContent() : CxoneErrorBody.NotFound("channelId", "Channel not found"))
            .WithName("CxoneDeleteChannel").WithSummary("Deletes a point of contact.");
        api.MapPost("/channels/{channelId}/messages", CreateMessage).WithName("CxoneCreateMessage").WithSummary("Stores an inbound (or outbound) message.");
        api.MapPut("/channels/{channelId}/messages/{messageId}/status", UpdateStatus).WithName("CxoneUpdateMessageStatus").WithSummary("Delivery status of a message.");
        api.MapPost("/channels/{channelId}/threads/{threadId}/sender-actions", SenderAction).WithName("CxoneThreadSenderAction").WithSummary("The customer is typing.");
        api.MapPut("/channels/{channelId}/threads/{threadId}", UpdateThread).WithName("CxoneUpdateThread").WithSummary("Closes a thread to new messages.");
        api.MapPost("/attachments/temporary", UploadAttachment).WithName("CxoneTemporaryAttachment").WithSummary("Uploads a file CXone can fetch.");
        return app;
    }

    private static async ValueTask<object?> RequireBearer(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var tenant = context.HttpContext.RequestServices.GetRequiredService<CxoneTenant>();
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || !tenant.IsValidToken(header["Bearer ".Length..].Trim()))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Json(new OAuthError("invalid_token", "Missing, unknown or expired access token."), CxoneJson.Default.OAuthError, statusCode: StatusCodes.Status401Unauthorized);
        }

        return await next(context);
    }

    private static async Task<IResult> UpsertChannel(HttpRequest request, CxoneTenant tenant)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (body is null)
        {
            return error!;
        }

        var errors = new List<CxoneError>();
        foreach (var field in new[] { "id", "idOnExternalPlatform", "channelIntegrationId", "realExternalPlatformId", "name" })
        {
            RequireString(body, field, errors);
        }

        foreach (var field in new[] { "isPrivate", "hasTreeStructure" })
        {
            if (body[field] is not JsonValue value || value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                errors.Add(new CxoneError(field, $"{field} is required and must be a boolean", null, "RequiredFieldMissing"));
            }
        }

        if (body["externalPlatformIcon"] is JsonNode icon && (icon.GetValueKind() != JsonValueKind.String || !Icons.Contains(icon.GetValue<string>())))
        {
            errors.Add(new CxoneError("externalPlatformIcon", "externalPlatformIcon is not one of the allowed values", null, "InvalidEnumValue"));
        }

        if (tenant.Options.StrictChannelFields)
        {
            errors.AddRange(body.Select(p => p.Key).Where(k => !NewChannelFields.Contains(k))
                .Select(k => new CxoneError(k, $"{k} is not a field of NewChannel", null, "UnknownField")));
        }

        if (errors.Count > 0)
        {
            return CxoneErrorBody.BadRequest([.. errors]);
        }

        return TypedResults.Json(tenant.UpsertChannel(body), CxoneJson.Default.JsonObject);
    }

    private static async Task<IResult> CreateMessage(string channelId, HttpRequest request, CxoneTenant tenant, TimeProvider time)
    {
        if (tenant.Channel(channelId) is null)
        {
            return CxoneErrorBody.NotFound("channelId", "Channel not found");
        }

        var (body, error) = await ReadObjectAsync(request);
        if (body is null)
        {
            return error!;
        }

        var errors = new List<CxoneError>();
        RequireString(body, "idOnExternalPlatform", errors);
        var direction = RequireString(body, "direction", errors);
        if (direction is not null and not ("inbound" or "outbound"))
        {
            errors.Add(new CxoneError("direction", "direction must be inbound or outbound", null, "InvalidEnumValue"));
        }

        var createdAt = RequireString(body, "createdAtWithMilliseconds", errors);
        if (createdAt is not null && !DateTimeOffset.TryParseExact(createdAt, ["yyyy-MM-dd'T'HH:mm:ss.fffzzz", "yyyy-MM-dd'T'HH:mm:ss.fff'Z'"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            errors.Add(new CxoneError("createdAtWithMilliseconds", "createdAtWithMilliseconds must be ISO-8601 with milliseconds and an offset", null, "InvalidFormat"));
        }

        RequireString(body["thread"] as JsonObject, "idOnExternalPlatform", errors, "thread.");
        var content = body["messageContent"] as JsonObject;
        var type = RequireString(content, "type", errors, "messageContent.");
        if (type is not null && !ContentTypes.Contains(type))
        {
            errors.Add(new CxoneError("messageContent.type", "messageContent.type is not one of the allowed values", null, "InvalidEnumValue"));
        }

        if (content?["payload"] is not JsonObject)
        {
            errors.Add(new CxoneError("messageContent.payload", "messageContent.payload is required", null, "RequiredFieldMissing"));
        }

        if (direction == "inbound")
        {
            RequireString(body["authorEndUserIdentity"] as JsonObject, "idOnExternalPlatform", errors, "authorEndUserIdentity.");
        }

        if (body["attachments"] is JsonArray attachments)
        {
            for (var i = 0; i < attachments.Count; i++)
            {
                RequireString(attachments[i] as JsonObject, "friendlyName", errors, $"attachments[{i}].");
                RequireString(attachments[i] as JsonObject, "url", errors, $"attachments[{i}].");
            }
        }

        if (errors.Count > 0)
        {
            return CxoneErrorBody.BadRequest([.. errors]);
        }

        var (id, _) = tenant.Log(channelId).Store(body, time.GetUtcNow());
        var threadId = body["thread"]!["idOnExternalPlatform"]!.GetValue<string>();
        return TypedResults.Json(new JsonObject
        {
            ["consumerContact"] = new JsonObject { ["id"] = $"contact-{threadId}", ["threadIdOnExternalPlatform"] = threadId, ["status"] = "new" },
            ["message"] = new JsonObject { ["id"] = id, ["idOnExternalPlatform"] = body["idOnExternalPlatform"]!.GetValue<string>(), ["threadId"] = $"thread-{threadId}" },
        }, CxoneJson.Default.JsonObject);
    }

    private static async Task<IResult> UpdateStatus(string channelId, string messageId, HttpRequest request, CxoneTenant tenant)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (body is null)
        {
            return error!;
        }

        var status = body["status"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        if (status is null || !Statuses.Contains(status))
        {
            return CxoneErrorBody.BadRequest(new CxoneError("status", "status must be delivered, seen or failed", null, "InvalidEnumValue"));
        }

        body["messageIdOnExternalPlatform"] = messageId;
        tenant.Log(channelId).AddStatus(body);
        return Results.Ok();
    }

    private static async Task<IResult> SenderAction(string channelId, string threadId, HttpRequest request, CxoneTenant tenant)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (body is null)
        {
            return error!;
        }

        var action = body["action"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        if (action is null || !SenderActions.Contains(action))
        {
            return CxoneErrorBody.BadRequest(new CxoneError("action", "action must be isTypingOn or isTypingOff", null, "InvalidEnumValue"));
        }

        body["threadIdOnExternalPlatform"] = threadId;
        tenant.Log(channelId).AddSenderAction(body);
        return Results.NoContent();
    }

    private static async Task<IResult> UpdateThread(string channelId, string threadId, HttpRequest request, CxoneTenant tenant)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (body is null)
        {
            return error!;
        }

        body["threadIdOnExternalPlatform"] = threadId;
        tenant.Log(channelId).AddThreadUpdate(body);
        return Results.Ok();
    }

    private static async Task<IResult> UploadAttachment(HttpRequest request)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (body is null)
        {
            return error!;
        }

        var errors = new List<CxoneError>();
        var content = RequireString(body, "content", errors);
        RequireString(body, "mimeType", errors);
        if (content is not null)
        {
            try
            {
                _ = Convert.FromBase64String(content);
            }
            catch (FormatException)
            {
                errors.Add(new CxoneError("content", "content must be base64", null, "InvalidFormat"));
            }
        }

        if (errors.Count > 0)
        {
            return CxoneErrorBody.BadRequest([.. errors]);
        }

        var id = Guid.NewGuid().ToString();
        return TypedResults.Json(new JsonObject
        {
            ["id"] = id,
            ["url"] = $"{request.Scheme}://{request.Host}/sandbox/cxone/attachments/{id}",
            ["expireAt"] = DateTimeOffset.UtcNow.AddHours(1).ToString("O", CultureInfo.InvariantCulture),
        }, CxoneJson.Default.JsonObject);
    }

    private static async Task<IResult> VerifyOneTimeToken(HttpRequest request, CxoneTenant tenant)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (body is null)
        {
            return error!;
        }

        var token = body["token"]?.GetValueKind() == JsonValueKind.String ? body["token"]!.GetValue<string>() : null;
        var brandId = body["brandId"]?.GetValueKind() == JsonValueKind.Number ? body["brandId"]!.GetValue<int>() : (int?)null;
        var userId = body["userId"]?.GetValueKind() == JsonValueKind.Number ? body["userId"]!.GetValue<int>() : (int?)null;
        if (token is null || brandId is null || userId is null)
        {
            return CxoneErrorBody.BadRequest(new CxoneError("token", "brandId, userId and token are required", null, "RequiredFieldMissing"));
        }

        var redeemed = tenant.RedeemOneTimeToken(token, brandId.Value, userId.Value);
        if (redeemed is null)
        {
            return Results.Json(new CxoneErrorBody([new CxoneError("token", "Invalid or expired one-time token", null, "InvalidToken")], Guid.NewGuid().ToString()), CxoneJson.Default.CxoneErrorBody, statusCode: StatusCodes.Status401Unauthorized);
        }

        var (accessToken, _) = tenant.IssueToken($"user:{redeemed.UserId}");
        return TypedResults.Json(new JsonObject
        {
            ["brand"] = new JsonObject { ["id"] = tenant.Options.BrandId, ["tenantId"] = tenant.Options.TenantId, ["businessUnitId"] = tenant.Options.BusinessUnitId, ["friendlyName"] = "Sandbox Brand" },
            ["user"] = new JsonObject { ["id"] = redeemed.UserId, ["emailAddress"] = "admin@sandbox.example", ["firstName"] = "Sandbox", ["surname"] = "Admin" },
            ["accessToken"] = accessToken,
        }, CxoneJson.Default.JsonObject);
    }

    private static string? RequireString(JsonObject? parent, string field, List<CxoneError> errors, string prefix = "")
    {
        if (parent?[field] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length > 0)
        {
            return value.GetValue<string>();
        }

        errors.Add(new CxoneError(prefix + field, $"{prefix}{field} is required and must be a non-empty string", null, "RequiredFieldMissing"));
        return null;
    }

    private static async Task<(JsonObject? Body, IResult? Error)> ReadObjectAsync(HttpRequest request)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return node is JsonObject body
                ? (body, null)
                : (null, CxoneErrorBody.BadRequest(new CxoneError("", "The body must be a JSON object", null, "InvalidBody")));
        }
        catch (JsonException e)
        {
            return (null, CxoneErrorBody.BadRequest(new CxoneError("", $"Malformed JSON: {e.Message}", null, "InvalidBody")));
        }
    }
}
