namespace Byoc.Deployment;

/// <summary>
/// <c>./byoc check [file]</c>, and the same check the AppHost and Conversations make at start-up: reads the file,
/// validates it, prints every problem (or a one-line summary) and answers an exit code.
/// </summary>
public static class DeploymentCheck
{
    /// <summary>0 when the file has no error (warnings are printed but pass), 1 otherwise.</summary>
    public static int Run(string path, string environmentName, TextWriter output) =>
        Run(path, environmentName, output, SecretResolver.Default);

    public static int Run(string path, string environmentName, TextWriter output, SecretResolver secrets)
    {
        var load = DeploymentFile.Load(path);
        var problems = load.Validate(environmentName, secrets);
        Print(load.File, problems, output);
        return problems.Any(p => p.IsError) ? 1 : 0;
    }

    /// <summary>Each problem on a line of its own ("error"/"warning", the field, what is expected), then a summary line.</summary>
    public static void Print(DeploymentFile file, IReadOnlyList<DeploymentProblem> problems, TextWriter output)
    {
        foreach (var problem in problems.OrderBy(p => p.IsWarning))
        {
            output.WriteLine($"{(problem.IsWarning ? "warning" : "error")}: {problem}");
        }

        var errors = problems.Count(p => p.IsError);
        output.WriteLine(errors == 0
            ? $"OK: {Summary(file)}{(problems.Count > 0 ? $" ({problems.Count} warning{(problems.Count == 1 ? "" : "s")})" : "")}"
            : $"{file.Source}: {errors} problem{(errors == 1 ? "" : "s")} to fix before Byoc can start.");
    }

    /// <summary>"N connectors, N integrations, N points of contact".</summary>
    public static string Summary(DeploymentFile file)
    {
        var points = file.PointsOfContact.Count();
        return $"{Count(file.Connectors.Count, "connector")}, {Count(file.Integrations.Count, "integration")}, {points} point{(points == 1 ? "" : "s")} of contact";
    }

    /// <summary>The message of a start-up refusal: every error, one per line.</summary>
    public static string Refusal(string source, IEnumerable<DeploymentProblem> problems) =>
        $"The deployment {source} has problems; Byoc does not start half-configured:{Environment.NewLine}"
        + string.Join(Environment.NewLine, problems.Where(p => p.IsError).Select(p => $"  {p}"));

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";
}
