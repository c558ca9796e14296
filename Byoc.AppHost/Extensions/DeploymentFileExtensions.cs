using Aspire.Hosting.ApplicationModel;
using Byoc.AppHost.Deployment;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>
/// The deployment file a run is given (<c>AppHost:DeploymentFile</c>, env <c>AppHost__DeploymentFile</c>;
/// docs/configuration.md): it names the connectors to run and the integrations Conversations serves. Without one,
/// the app model is the sandbox demo's.
/// </summary>
public static class DeploymentFileExtensions
{
    public const string ConfigurationKey = "AppHost:DeploymentFile";

    /// <summary>The file's absolute path (a relative one is taken from the current directory), or null for none.</summary>
    public static string? DeploymentFile(this IConfiguration configuration) =>
        configuration[ConfigurationKey] is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>
    /// The connectors to run: the file's, else the demo's Junglebook connector. Null when the file has problems:
    /// each is written to <paramref name="error"/>, all at once, and nothing may start.
    /// </summary>
    public static IReadOnlyList<ConnectorDeclaration>? ReadConnectors(this IDistributedApplicationBuilder builder, TextWriter error)
    {
        if (builder.Configuration.DeploymentFile() is not { } path)
        {
            return DeploymentConnectors.Demo;
        }

        var (connectors, problems) = DeploymentConnectors.Read(path);
        if (problems.Count == 0)
        {
            return connectors;
        }

        Report(path, problems, error);
        error.WriteLine("Nothing was started.");
        return null;
    }

    /// <summary>
    /// Conversations reads the integrations from the file: in a local run the file itself (<c>Byoc__DeploymentFile</c>,
    /// its absolute path); in a deployment, which has no such file, its JSON as the secret parameter <c>deployment</c>
    /// (<c>Byoc__Deployment</c>), given at deploy time. Without a file nothing is added (the demo's appsettings).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDeploymentFile(this IResourceBuilder<ProjectResource> conversations, string? path)
    {
        if (path is null)
        {
            return conversations;
        }

        return conversations.ApplicationBuilder.ExecutionContext.IsRunMode
            ? conversations.WithEnvironment("Byoc__DeploymentFile", path)
            : conversations.WithEnvironment("Byoc__Deployment", conversations.ApplicationBuilder.AddParameter("deployment", secret: true));
    }

    /// <summary>
    /// <c>check [file]</c>: validates the file given (else <c>AppHost:DeploymentFile</c> from the environment) and
    /// exits 0 when it has no problem, 1 when it has, 2 when no file was named. Runs before Aspire builds anything.
    /// </summary>
    public static int Check(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var path = args is [var given, ..] ? Path.GetFullPath(given) : new ConfigurationBuilder().AddEnvironmentVariables().Build().DeploymentFile();
        if (path is null)
        {
            error.WriteLine($"byoc check: name a deployment file (check path/to/deployment.json) or set {ConfigurationKey.Replace(":", "__", StringComparison.Ordinal)}.");
            return 2;
        }

        var (connectors, problems) = DeploymentConnectors.Read(path);
        if (problems.Count > 0)
        {
            Report(path, problems, error);
            return 1;
        }

        output.WriteLine($"{path}: no problems; connectors: {string.Join(", ", connectors.Select(c => $"{c.Name} ({c.Type})"))}.");
        return 0;
    }

    private static void Report(string path, IReadOnlyList<string> problems, TextWriter error)
    {
        error.WriteLine($"{path}: {problems.Count} problem(s):");
        foreach (var problem in problems)
        {
            error.WriteLine($"  {problem}");
        }
    }
}
