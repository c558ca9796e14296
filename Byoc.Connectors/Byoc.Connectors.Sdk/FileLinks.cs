using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// A platform whose file URLs carry credentials (Telegram's carry the bot token): customers' files are handed to
/// CXone as links to the connector, signed per account and file, and the connector streams them from the platform.
/// The SDK serves <c>GET /hooks/{connector}/{accountId}/files/{fileId}?exp=&amp;sig=</c> for it, beside the webhook.
/// </summary>
public interface IPlatformFiles : IPlatform
{
    /// <summary>The account's secret links are signed with; a webhook secret serves, as only the platform shares it.</summary>
    string FileLinkSecret(PlatformAccount account);

    /// <summary>
    /// Opens a file for a genuine link. Throw <see cref="PlatformRejectedException"/> when the platform has no such
    /// file (answered 404) and <see cref="PlatformUnavailableException"/> when it cannot give it now (502).
    /// </summary>
    Task<PlatformFile> OpenFileAsync(PlatformAccount account, string fileId, CancellationToken cancellationToken);
}

/// <summary>A file to stream: its name (its extension gives the content type) and how to write it.</summary>
public sealed record PlatformFile(string Name, Func<Stream, Task> WriteToAsync);

/// <summary>
/// Signed links to files the connector streams (see <see cref="IPlatformFiles"/>). A link carries its expiry
/// (<c>exp</c>, Unix seconds) under the signature: a tampered link is refused 403, an expired one 410, so a link
/// that leaked from a transcript stops working.
/// </summary>
public static class FileLinks
{
    /// <summary>How long a link works when the connector does not say: long enough for CXone to fetch and show it.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(7);

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>
    /// The link CXone fetches a file of <paramref name="webhook"/> from: beside that webhook's path, under
    /// <paramref name="publicBaseUrl"/>, where the Edge forwards <c>/hooks</c>.
    /// </summary>
    public static string Create(IPlatformFiles platform, string? publicBaseUrl, Webhook webhook, string fileId, TimeProvider? time = null, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(webhook);
        var account = webhook.Account;
        var expires = ((time ?? TimeProvider.System).GetUtcNow() + (lifetime ?? DefaultLifetime)).ToUnixTimeSeconds();
        return $"{publicBaseUrl?.TrimEnd('/')}/hooks/{webhook.Connector}/{Uri.EscapeDataString(account.AccountId)}/files/{Uri.EscapeDataString(fileId)}"
            + $"?exp={expires.ToString(CultureInfo.InvariantCulture)}&sig={Signature(platform.FileLinkSecret(account), account.AccountId, fileId, expires)}";
    }

    /// <summary>Lowercase hex HMAC-SHA256 of <c>{accountId}/{fileId}/{expires}</c>: a link works for that file of that account, until then.</summary>
    public static string Signature(string secret, string accountId, string fileId, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{accountId}/{fileId}/{expires.ToString(CultureInfo.InvariantCulture)}")));

    internal static async Task<IResult> ServeAsync(IPlatformFiles platform, AccountDirectory accounts, TimeProvider time, string accountId, string fileId, long? expires, string? signature, CancellationToken cancellationToken)
    {
        if (await accounts.FindAsync(accountId, cancellationToken) is not { } account)
        {
            return Results.NotFound();
        }

        try
        {
            WebhookSignature.VerifyToken(Signature(platform.FileLinkSecret(account), accountId, fileId, expires ?? 0), signature);
        }
        catch (WebhookRejectedException)
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        // Checked after the signature: only a genuine link learns that it expired.
        if (DateTimeOffset.FromUnixTimeSeconds(expires ?? 0) < time.GetUtcNow())
        {
            return Results.StatusCode(StatusCodes.Status410Gone);
        }

        try
        {
            var file = await platform.OpenFileAsync(account, fileId, cancellationToken);
            return Results.Stream(file.WriteToAsync, ContentTypes.TryGetContentType(file.Name, out var type) ? type : "application/octet-stream");
        }
        catch (PlatformRejectedException)
        {
            return Results.NotFound();
        }
        catch (PlatformUnavailableException)
        {
            return Results.StatusCode(StatusCodes.Status502BadGateway);
        }
    }
}
