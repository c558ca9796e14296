namespace Byoc.AppHost.Tests;

/// <summary>Deployment files written for a test into a folder of its own, deleted with it.</summary>
public sealed class DeploymentFiles : IDisposable
{
    public const string IntegrationId = "bare-necessities";
    public const string WebhookPointOfContact = "webhook-support-desk";
    /// <summary>A webhook connector named other than its type, as a deployment names its platforms.</summary>
    public const string NamedWebhookConnector = "support-desk";
    public const string WebhookAccount = "support-desk";
    public const string WebhookSecret = "support-desk-webhook-secret";
    public const string TelegramAccount = "jungle-bot";
    public const string BotToken = "123456:JUNGLE-bot-token";

    private readonly string _folder = Directory.CreateTempSubdirectory("byoc-deployment-").FullName;

    /// <summary>
    /// The generic webhook connector and the Telegram one, with a point of contact each at the sandbox's CXone (the
    /// demo's tenant, with the demo's values in clear, as Development allows); Telegram's Bot API on loopback at
    /// <paramref name="botApiPort"/>: no test may reach the internet. The webhook connector is named
    /// <paramref name="webhookConnector"/>, and sends agents' messages to <paramref name="webhookOutboundUrl"/>
    /// (by default a port nothing listens on).
    /// </summary>
    public static string WebhookAndTelegramAtTheSandbox(int botApiPort, int webhookReplicas = 1, string webhookConnector = "webhook", string webhookOutboundUrl = "http://127.0.0.1:9/outbound") => $$"""
        {
          "connectors": {
            "{{webhookConnector}}": { "type": "webhook", "replicas": {{webhookReplicas}}, "settings": { "Retries": 1 } },
            "telegram": { "type": "telegram", "settings": { "ApiBaseUrl": "http://127.0.0.1:{{botApiPort}}" } }
          },
          "integrations": {
            "{{IntegrationId}}": {
              "tenantId": "11ee0000-sand-b0x0-0000-000000000001",
              "name": "The Bare Necessities LLC (sandbox)",
              "clientId": "byoc-demo-client",
              "clientSecret": "byoc-demo-secret-change-me",
              "cxone": {
                "issuer": "http://sandbox",
                "digitalApiBaseUrl": "http://sandbox/dfo/3.0",
                "appClientId": "byoc-sandbox-app", "appClientSecret": "sandbox-app-secret",
                "accessKeyId": "sandbox-access-key", "accessKeySecret": "sandbox-access-secret=="
              },
              "pointsOfContact": {
                "{{WebhookPointOfContact}}": {
                  "connector": "{{webhookConnector}}", "accountId": "{{WebhookAccount}}", "name": "Support desk", "icon": "forum",
                  "settings": {
                    "webhookSecret": "{{WebhookSecret}}", "outboundUrl": "{{webhookOutboundUrl}}",
                    "map.threadId": "$.thread", "map.authorId": "$.author", "map.messageId": "$.id", "map.text": "$.text"
                  }
                },
                "telegram-jungle-bot": {
                  "connector": "telegram", "accountId": "{{TelegramAccount}}", "name": "Jungle bot", "icon": "telegram",
                  "settings": { "botToken": "{{BotToken}}", "secretToken": "jungle-bot-secret-token" }
                }
              }
            }
          }
        }
        """;

    /// <summary>The same connectors for a deployment: a real CXone over https, every secret a reference.</summary>
    public const string WebhookAndTelegramForAzure = """
        {
          "connectors": {
            "webhook": { "type": "webhook", "settings": { "Retries": 1 } },
            "telegram": { "type": "telegram", "settings": { "ApiBaseUrl": "https://api.telegram.org" } }
          },
          "integrations": {
            "11ee-integration": {
              "tenantId": "11ee0000-0000-0000-0000-000000000002",
              "clientId": "byoc-bare-necessities",
              "clientSecret": "env:BYOC_TEST_CLIENT_SECRET_NOT_SET",
              "cxone": {
                "issuer": "https://cxone.niceincontact.com",
                "appClientId": "app", "appClientSecret": "keyvault:https://byoc-kv.vault.azure.net/secrets/cxone-app-secret",
                "accessKeyId": "key", "accessKeySecret": "file:/run/secrets/cxone-access-key-secret"
              },
              "pointsOfContact": {
                "telegram-jungle-bot": {
                  "connector": "telegram", "accountId": "jungle-bot", "icon": "telegram",
                  "settings": { "botToken": "env:JUNGLE_BOT_TOKEN", "secretToken": "env:JUNGLE_BOT_SECRET_TOKEN" }
                }
              }
            }
          }
        }
        """;

    public string Write(string json)
    {
        var path = Path.Combine(_folder, $"deployment-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
