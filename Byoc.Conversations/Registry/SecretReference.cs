namespace Byoc.Conversations.Registry;

/// <summary>
/// A secret in configuration, given by reference so it need not sit in a settings file: <c>env:NAME</c> reads an
/// environment variable, <c>file:/path</c> a file (e.g. a mounted Key Vault secret); anything else is the value.
/// </summary>
public static class SecretReference
{
    public static string Resolve(string reference, string settingName)
    {
        if (reference.StartsWith("env:", StringComparison.Ordinal))
        {
            var name = reference[4..];
            return Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"{settingName} refers to the environment variable {name}, which is not set.");
        }

        if (reference.StartsWith("file:", StringComparison.Ordinal))
        {
            var path = reference[5..];
            return File.Exists(path)
                ? File.ReadAllText(path).TrimEnd('\r', '\n')
                : throw new InvalidOperationException($"{settingName} refers to the file {path}, which does not exist.");
        }

        return reference;
    }
}
