using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;

namespace Byoc.Deployment;

/// <summary>
/// A secret in configuration given by reference, so it need not sit in a settings file: <c>env:NAME</c> reads an
/// environment variable, <c>file:/path</c> a file (e.g. a mounted secret), and
/// <c>keyvault:https://{vault}.vault.azure.net/secrets/{name}[/{version}]</c> an Azure Key Vault secret. Anything
/// else is the value itself, in clear.
/// </summary>
public static class SecretReference
{
    public const string Env = "env:";
    public const string File = "file:";
    public const string KeyVault = "keyvault:";

    /// <summary>What a Key Vault reference must look like, for messages.</summary>
    public const string KeyVaultForm = "keyvault:https://<vault>.vault.azure.net/secrets/<name>[/<version>]";

    public static bool IsReference(string? value) =>
        value is not null && (value.StartsWith(Env, StringComparison.Ordinal) || value.StartsWith(File, StringComparison.Ordinal)
            || value.StartsWith(KeyVault, StringComparison.Ordinal));

    /// <summary>Resolves <paramref name="reference"/> with the environment, files and Azure Key Vault; throws naming the setting, never a value.</summary>
    public static string Resolve(string reference, string settingName) => SecretResolver.Default.Resolve(reference, settingName);

    /// <summary>Splits a Key Vault reference into the vault's URI, the secret's name and its version (null: the latest).</summary>
    public static bool TryParseKeyVault(string reference, out Uri vault, out string name, out string? version)
    {
        vault = null!;
        name = "";
        version = null;
        if (!reference.StartsWith(KeyVault, StringComparison.Ordinal)
            || !Uri.TryCreate(reference[KeyVault.Length..], UriKind.Absolute, out var uri)
            || uri.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(uri.Query))
        {
            return false;
        }

        var segments = uri.AbsolutePath.Trim('/').Split('/');
        if (segments is not (["secrets", { Length: > 0 }] or ["secrets", { Length: > 0 }, { Length: > 0 }]))
        {
            return false;
        }

        vault = new Uri(uri.GetLeftPart(UriPartial.Authority));
        name = segments[1];
        version = segments.Length == 3 ? segments[2] : null;
        return true;
    }
}

/// <summary>Reads Key Vault secrets; behind an interface so tests give a fake vault.</summary>
public interface IKeyVaultSecrets
{
    /// <summary>The secret's value, or null when the vault has no such secret (or version). Other failures throw.</summary>
    string? GetSecret(Uri vault, string name, string? version);
}

/// <summary>Azure Key Vault with <see cref="DefaultAzureCredential"/> (a managed identity in Azure, the developer's sign-in locally).</summary>
public sealed class AzureKeyVaultSecrets(TokenCredential? credential = null) : IKeyVaultSecrets
{
    private readonly Lazy<TokenCredential> _credential = new(() => credential ?? new DefaultAzureCredential());
    private readonly ConcurrentDictionary<Uri, SecretClient> _clients = new();
    private readonly ConcurrentDictionary<Uri, Exception> _unreachable = new();

    // A vault that cannot be reached is said within seconds, not after the SDK's default minute of retries.
    private static readonly SecretClientOptions Options = new()
    {
        Retry = { MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(500), NetworkTimeout = TimeSpan.FromSeconds(15) },
    };

    public string? GetSecret(Uri vault, string name, string? version)
    {
        // A vault that could not be reached once is not tried again for every reference to it.
        if (_unreachable.TryGetValue(vault, out var unreachable))
        {
            throw new AggregateException(unreachable);
        }

        var client = _clients.GetOrAdd(vault, v => new SecretClient(v, _credential.Value, Options));
        try
        {
            return client.GetSecret(name, version).Value.Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (AggregateException e) when (e.InnerExceptions is [RequestFailedException { Status: 0 } first, ..])
        {
            _unreachable[vault] = first;
            throw;
        }
    }
}

/// <summary>The outcome of resolving a reference: the value, or what went wrong (never containing a value).</summary>
public readonly record struct SecretResolution(string? Value, string? Problem)
{
    public bool IsResolved => Problem is null;
}

/// <summary>Resolves secret references (<see cref="SecretReference"/>).</summary>
public sealed class SecretResolver(IKeyVaultSecrets? keyVault = null)
{
    private readonly Lazy<IKeyVaultSecrets> _keyVault = new(() => keyVault ?? new AzureKeyVaultSecrets());

    /// <summary>The environment of this process, its files and Azure Key Vault with the default credential.</summary>
    public static SecretResolver Default { get; } = new();

    public SecretResolution TryResolve(string reference)
    {
        if (reference.StartsWith(SecretReference.Env, StringComparison.Ordinal))
        {
            var name = reference[SecretReference.Env.Length..];
            if (name.Length == 0)
            {
                return new(null, "env:NAME with the name of an environment variable");
            }

            return Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
                ? new(value, null)
                : new(null, $"the environment variable {name} to be set (it is not)");
        }

        if (reference.StartsWith(SecretReference.File, StringComparison.Ordinal))
        {
            var path = reference[SecretReference.File.Length..];
            if (path.Length == 0)
            {
                return new(null, "file:/path with the path of a file");
            }

            try
            {
                return System.IO.File.Exists(path)
                    ? new(System.IO.File.ReadAllText(path).TrimEnd('\r', '\n'), null)
                    : new(null, $"the file {path} to exist (it does not)");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new(null, $"the file {path} to be readable ({e.GetType().Name})");
            }
        }

        if (reference.StartsWith(SecretReference.KeyVault, StringComparison.Ordinal))
        {
            if (!SecretReference.TryParseKeyVault(reference, out var vault, out var name, out var version))
            {
                return new(null, $"a Key Vault reference of the form {SecretReference.KeyVaultForm}");
            }

            try
            {
                return _keyVault.Value.GetSecret(vault, name, version) is { Length: > 0 } value
                    ? new(value, null)
                    : new(null, $"the secret {name}{(version is null ? "" : $" (version {version})")} to exist in the Key Vault {vault.Host} (it does not)");
            }
            catch (Exception e) when (e is RequestFailedException or AuthenticationFailedException or CredentialUnavailableException or HttpRequestException or AggregateException)
            {
                // The SDK wraps the attempts of its retries in one AggregateException: the first says why.
                var reason = e is AggregateException { InnerExceptions: [var first, ..] } ? first : e;
                return new(null, $"the secret {name} to be readable in the Key Vault {vault.Host} ({reason.GetType().Name}: {FirstLine(reason.Message)})");
            }
        }

        return new(reference, null);
    }

    /// <summary>The value; throws a <see cref="DeploymentException"/> naming the setting and the reference's target, never a value.</summary>
    public string Resolve(string reference, string settingName)
    {
        var resolution = TryResolve(reference);
        return resolution.IsResolved
            ? resolution.Value!
            : throw new DeploymentException($"{settingName} refers to a secret that does not resolve: expected {resolution.Problem}.");
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
