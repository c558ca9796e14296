namespace Byoc.Deployment;

/// <summary>
/// One thing wrong with a deployment file: the field (a configuration path such as
/// <c>integrations:acme:pointsOfContact:jb-1:icon</c>), what is expected there and, when it is not a secret, what
/// was found. Warnings (a secret in clear outside Development) do not stop Byoc.
/// </summary>
public sealed record DeploymentProblem(string Field, string Expected, string? Found = null, bool IsWarning = false)
{
    /// <summary>What every unresolved secret reference's <see cref="Expected"/> starts with.</summary>
    public const string UnresolvedReference = "a secret reference that resolves";

    public bool IsError => !IsWarning;

    /// <summary>
    /// A secret reference (env:, file:, keyvault:) that does not resolve here: the one rule that depends on where it
    /// is checked, so a check made for another machine (publishing a manifest) may leave it out.
    /// </summary>
    public bool IsUnresolvedReference => Expected.StartsWith(UnresolvedReference, StringComparison.Ordinal);

    public override string ToString() =>
        Found is null ? $"{Field}: expected {Expected}" : $"{Field}: expected {Expected}; found {Found}";
}

/// <summary>Thrown when a secret reference cannot be resolved; the message names the field, never a value.</summary>
public sealed class DeploymentException(string message) : InvalidOperationException(message);
