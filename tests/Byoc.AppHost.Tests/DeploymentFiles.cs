namespace Byoc.AppHost.Tests;

/// <summary>Deployment files written for a test into a folder of its own, deleted with it.</summary>
internal sealed class DeploymentFiles : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("byoc-deployment-").FullName;

    /// <summary>
    /// The generic webhook connector and the Telegram one, Telegram's Bot API on a loopback port nothing listens on:
    /// no test may reach the internet.
    /// </summary>
    public static string WebhookAndTelegram(int botApiPort) => $$"""
        {
          "connectors": {
            "webhook": { "type": "webhook", "settings": { "Retries": 1 } },
            "telegram": { "type": "telegram", "settings": { "ApiBaseUrl": "http://127.0.0.1:{{botApiPort}}" } }
          }
        }
        """;

    public string Folder => _folder;

    public string Write(string json)
    {
        var path = Path.Combine(_folder, $"deployment-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
