using Byoc.Testing;

namespace Byoc.AppHost.Tests;

/// <summary>A deployment file is validated before anything starts: by <c>check</c>, and by the AppHost at start-up.</summary>
public sealed class DeploymentFileCheckTests : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Four problems: a type Byoc has no connector for, no replica, a name no URL may carry, and no integration.
    /// </summary>
    private const string FourProblems = """
        {
          "connectors": {
            "slack-desk": { "type": "slack" },
            "webhook": { "replicas": 0 },
            "Telegram Bot": { "type": "telegram" }
          }
        }
        """;

    private static readonly string[] ProblemFields = ["connectors:slack-desk:type", "connectors:webhook:replicas", "connectors:Telegram Bot", "integrations"];

    private readonly DeploymentFiles _files = new();
    private readonly string _dataPath = Directory.CreateTempSubdirectory("byoc-apphost-").FullName;

    public void Dispose()
    {
        _files.Dispose();
        Directory.Delete(_dataPath, recursive: true);
    }

    [Fact]
    public async Task The_AppHost_given_an_invalid_file_prints_every_problem_exits_non_zero_and_starts_nothing()
    {
        var file = _files.Write(FourProblems);

        using var apphost = await RunAsync(["--AppHost:DeploymentFile", file, "--AppHost:DataPath", _dataPath], new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{TestProcesses.FreePort()}",
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{TestProcesses.FreePort()}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{TestProcesses.FreePort()}",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
        });

        Assert.Equal(1, apphost.Process.ExitCode);
        Assert.All(ProblemFields, field => Assert.Contains(field, apphost.Output, StringComparison.Ordinal));
        // Each says what is expected there: for the unknown type, the types Byoc has connectors for.
        Assert.Contains(apphost.Lines, l => l.Contains("connectors:slack-desk:type", StringComparison.Ordinal)
            && l.Contains("junglebook, webhook, telegram", StringComparison.Ordinal) && l.Contains("'slack'", StringComparison.Ordinal));
        Assert.Contains("Nothing was started.", apphost.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Aspire.Hosting", apphost.Output, StringComparison.Ordinal);
        // A start writes Redis's config and the key ring's certificate there first: nothing was.
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dataPath));
    }

    [Fact]
    public async Task Check_prints_every_problem_of_a_file_and_exits_1_without_starting_Aspire()
    {
        var file = _files.Write(FourProblems);

        using var check = await RunAsync(["check", file]);

        Assert.Equal(1, check.Process.ExitCode);
        Assert.All(ProblemFields, field => Assert.Contains(field, check.Output, StringComparison.Ordinal));
        // Aspire logs under its own categories from its first step on (info: Aspire.Hosting.DistributedApplication[0]).
        Assert.DoesNotContain("Aspire.Hosting", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_accepts_a_valid_file_and_says_what_it_holds()
    {
        var file = _files.Write(DeploymentFiles.WebhookAndTelegramAtTheSandbox(botApiPort: 9));

        using var check = await RunAsync(["check", file]);

        Assert.True(check.Process.ExitCode == 0, check.Output);
        Assert.Contains("OK: 2 connectors, 1 integration, 2 points of contact", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_without_a_file_says_how_to_name_one_and_exits_2()
    {
        using var check = await RunAsync(["check"]);

        Assert.Equal(2, check.Process.ExitCode);
        Assert.Contains("AppHost__DeploymentFile", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_byoc_check_command_checks_as_production_unless_the_environment_says_otherwise()
    {
        // A file for the sandbox: its CXone is http://sandbox, which only Development accepts.
        var file = _files.Write(DeploymentFiles.WebhookAndTelegramAtTheSandbox(botApiPort: 9));

        var (production, productionOutput) = await RunByocCheckAsync(file, environment: null);
        var (development, developmentOutput) = await RunByocCheckAsync(file, environment: "Development");

        Assert.True(production == 1, productionOutput);
        Assert.Contains(":cxone:issuer", productionOutput, StringComparison.Ordinal);
        Assert.Contains("https", productionOutput, StringComparison.Ordinal);
        Assert.True(development == 0, developmentOutput);
        Assert.Contains("OK: 2 connectors, 1 integration, 2 points of contact", developmentOutput, StringComparison.Ordinal);
    }

    /// <summary><c>./byoc check</c> as typed, with DOTNET_ENVIRONMENT unset or set.</summary>
    private static async Task<(int ExitCode, string Output)> RunByocCheckAsync(string file, string? environment)
    {
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        string[] variables = environment is null
            ? ["-u", "DOTNET_ENVIRONMENT", "-u", "ASPNETCORE_ENVIRONMENT"]
            : ["-u", "ASPNETCORE_ENVIRONMENT", $"DOTNET_ENVIRONMENT={environment}"];
        using var process = await TestProcesses.StartAsync("env", [.. variables, "bash", Path.Combine(ServiceBuild.RepoRoot, "byoc"), "check", file],
            ServiceBuild.RepoRoot, new Dictionary<string, string>(), output.Enqueue);
        try
        {
            // dotnet run checks the build first (up to date here).
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException e)
        {
            process.Kill();
            throw new TimeoutException($"./byoc check did not exit:\n{string.Join('\n', output)}", e);
        }

        return (process.ExitCode, string.Join('\n', output));
    }

    private static async Task<AppHostProcess> RunAsync(string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var apphost = await AppHostProcess.StartAsync(arguments, environment ?? new Dictionary<string, string>());
        try
        {
            await apphost.Process.WaitForExitAsync().WaitAsync(ExitTimeout);
            return apphost;
        }
        catch (TimeoutException e)
        {
            var output = apphost.Output;
            apphost.Dispose();
            throw new TimeoutException($"{e.Message}\n{output}", e);
        }
    }
}
