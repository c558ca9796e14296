using System.Diagnostics;

namespace Byoc.Testing;

/// <summary>
/// A Byoc service as a real process (<c>dotnet {assembly}</c> from its project folder), with
/// the environment a test gives it; started when its health URL answers 200, killed (SIGKILL) on dispose.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static Task<ServiceProcess> StartSandboxAsync(IReadOnlyDictionary<string, string> environment, Uri health) =>
        StartAsync(ServiceBuild.Sandbox, environment, health);

    public static Task<ServiceProcess> StartConversationsAsync(IReadOnlyDictionary<string, string> environment, Uri health) =>
        StartAsync(ServiceBuild.Conversations, environment, health);

    private static async Task<ServiceProcess> StartAsync(ServiceBuild project, IReadOnlyDictionary<string, string> environment, Uri health)
    {
        var variables = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Testing" };
        foreach (var (key, value) in environment)
        {
            variables[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = await TestProcesses.StartAsync(DotnetHost(), [project.AssemblyPath], project.ProjectDirectory, variables);
        var service = new ServiceProcess(process);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Poll.UntilAsync(async () =>
        {
            try
            {
                return (await http.GetAsync(health)).IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return process.HasExited ? throw new InvalidOperationException($"{project.Name} exited at start-up.") : false;
            }
        }, TimeSpan.FromSeconds(60), $"{project.Name} answers {health}");
        return service;
    }

    /// <summary>SIGKILL, as a crash or <c>kill -9</c> would end it.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    public static string DotnetHost() => TestProcesses.DotnetHost();

    /// <summary>A free loopback port, chosen as the AppHost chooses them: below the range outgoing connections use.</summary>
    public static int FreePort() => TestProcesses.FreePort();
}
