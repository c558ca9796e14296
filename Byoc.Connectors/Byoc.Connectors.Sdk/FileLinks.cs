using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// A platform whose file URLs carry credentials (Telegram's carry the bot token): customers' files are handed to
/// CXone as links to the connector, signed per account and file, and the connector streams them from the platform.
/// The SDK serves <c>GET /hooks/{connector}/{accountId}/files/{fileId}?sig=</c> for it, beside the webhook.
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

/// <summary>Signed links to files the connector streams (see <see cref="IPlatformFiles"/>).</summary>
public static class FileLinks
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>The link CXone fetches the file from: under <paramref name="publicBaseUrl"/>, where the Edge forwards <c>/hooks</c>.</summary>
    public static string Create(IPlatformFiles platform, string? publicBaseUrl, PlatformAccount account, string fileId)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(account);
        return $"{publicBaseUrl?.TrimEnd('/')}/hooks/{platform.Description.Connector}/{Uri.EscapeDataString(account.AccountId)}/files/{Uri.EscapeDataString(fileId)}"
            + $"?sig={Signature(platform.FileLinkSecret(account), account.AccountId, fileId)}";
    }

    /// <summary>Lowercase hex HMAC-SHA256 of <c>{accountId}/{fileId}</c>: a link works for that file of that account only.</summary>
    public static string Signature(string secret, string accountId, string fileId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{accountId}/{fileId}")));

    internal static async Task<IResult> ServeAsync(IPlatformFiles platform, AccountDirectory accounts, string accountId, string fileId, string? signature, CancellationToken cancellationToken)
    {
        if (await accounts.FindAsync(accountId, cancellationToken) is not { } account)
        {
            return Results.NotFound();
        }

        try
        {
            // A link that is not genuine gets the same 404 as a missing file: it tells nothing about what exists.
            WebhookSignature.VerifyToken(Signature(platform.FileLinkSecret(account), accountId, fileId), signature);
            var file = await platform.OpenFileAsync(account, fileId, cancellationToken);
            return Results.Stream(file.WriteToAsync, ContentTypes.TryGetContentType(file.Name, out var type) ? type : "application/octet-stream");
        }
        catch (Exception e) when (e is WebhookRejectedException or PlatformRejectedException)
        {
            return Results.NotFound();
        }
        catch (PlatformUnavailableException)
        {
            return Results.StatusCode(StatusCodes.Status502BadGateway);
        }
    }
}
