using Aspire.Hosting.ApplicationModel;
using Byoc.Deployment;
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

    /// <summary>What runs without a deployment file: the sandbox demo's Junglebook connector (its integration is in Conversations' appsettings.Development.json).</summary>
    public static DeploymentFile Demo => new()
    {
        Source = "the sandbox demo",
        Connectors = { [ConnectorTypes.Junglebook] = new() { Name = ConnectorTypes.Junglebook, Type = ConnectorTypes.Junglebook } },
    };

    /// <summary>The file's absolute path (a relative one is taken from the current directory), or null for none.</summary>
    public static string? DeploymentFilePath(this IConfiguration configuration) =>
        configuration[ConfigurationKey] is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>
    /// The deployment to run: the file's, validated, else <see cref="Demo"/>. Null when the file has errors: every
    /// problem is written to <paramref name="error"/>, all at once, and nothing may start. Warnings are written too
    /// and do not stop it.
    /// </summary>
    public static DeploymentFile? ReadDeployment(this IDistributedApplicationBuilder builder, TextWriter error)
    {
        if (builder.Configuration.DeploymentFilePath() is not { } path)
        {
            return Demo;
        }

        var load = DeploymentFile.Load(path);
        IEnumerable<DeploymentProblem> problems;
        if (builder.ExecutionContext.IsRunMode)
        {
            // Conversations and the connectors run here, with this environment: its secret references must resolve now.
            problems = load.Validate(builder.Environment.EnvironmentName);
        }
        else
        {
            // Written for a deployment, whose services run in Production by default and resolve their secret
            // references there (its environment variables, mounted files, its Key Vault): here only their form counts.
            // The manifest is made of the connectors: a problem there stops it. The integrations are Conversations'
            // to serve, which checks them again where it runs and refuses to start until they are right; a file
            // still being filled in (infra/deployment.json as shipped) may be published, with every problem shown.
            problems = load.Validate(Environments.Production, new SecretResolver(new VaultOfTheDeployment()))
                .Where(p => !p.IsUnresolvedReference)
                .Select(p => p.Field.StartsWith("integrations", StringComparison.OrdinalIgnoreCase) ? p with { IsWarning = true } : p);
        }

        var all = problems.ToList();
        if (all.Count > 0)
        {
            DeploymentCheck.Print(load.File, all, error);
        }

        if (all.Any(p => p.IsError))
        {
            error.WriteLine("Nothing was started.");
            return null;
        }

        return load.File;
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
    /// <c>check [file]</c>: validates the file given (else <c>AppHost__DeploymentFile</c>) as <c>./byoc check</c> does,
    /// in the environment of <c>DOTNET_ENVIRONMENT</c> (Production when unset), and exits 0 when it has no error,
    /// 1 when it has, 2 when no file was named. Runs before Aspire builds anything.
    /// </summary>
    public static int Check(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var path = args is [var given, ..] ? Path.GetFullPath(given) : environment.DeploymentFilePath();
        if (path is null)
        {
            error.WriteLine($"check: name a deployment file (check path/to/deployment.json) or set {ConfigurationKey.Replace(":", "__", StringComparison.Ordinal)}.");
            return 2;
        }

        var environmentName = environment["DOTNET_ENVIRONMENT"] is { Length: > 0 } name ? name : Environments.Production;
        return DeploymentCheck.Run(path, environmentName, output);
    }

    /// <summary>Publishing never asks a vault: the deployment's identity reads it, not the machine that publishes.</summary>
    private sealed class VaultOfTheDeployment : IKeyVaultSecrets
    {
        public string? GetSecret(Uri vault, string name, string? version) => "read where it is deployed";
    }
}
