using System.Diagnostics;
using System.Reflection;

namespace Byoc.Deploy.Tests;

/// <summary>
/// The Bicep compiler from the <c>Azure.Bicep.CommandLine.linux-x64</c> package the test project restores: it knows
/// every Azure resource type offline, so a property that does not exist, a wrong type or a wrong enum value is a
/// warning here, long before a deployment.
/// </summary>
internal static class Bicep
{
    private static string Executable => Path.Combine(
        typeof(Bicep).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPackage").Value!,
        "tools", OperatingSystem.IsWindows() ? "bicep.exe" : "bicep");

    /// <summary>Compiles <paramref name="file"/> to ARM JSON; the diagnostics are everything it printed on stderr.</summary>
    public static async Task<(int ExitCode, string Json, string Diagnostics)> BuildAsync(string file) =>
        await RunAsync("build", file, "--stdout");

    /// <summary>The linter's findings (best practices on top of the compiler's own checks).</summary>
    public static async Task<(int ExitCode, string Output, string Diagnostics)> LintAsync(string file) =>
        await RunAsync("lint", file);

    private static async Task<(int, string, string)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        // Offline: no telemetry, no registry look-ups (the templates use no br: modules).
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await stdout, (await stderr).Trim());
    }
}
