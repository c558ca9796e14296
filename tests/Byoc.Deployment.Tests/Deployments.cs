using System.Text.Json.Nodes;
using Azure;

namespace Byoc.Deployment.Tests;

/// <summary>A valid deployment to take apart, and what the tests share.</summary>
internal static class Deployments
{
    public const string Vault = "https://byoc-kv.vault.azure.net";

    /// <summary>
    /// One integration "acme" on a real CXone with one Junglebook point of contact "jb-1"; its secrets are
    /// references to a fake vault (<see cref="Secrets"/>), so it is valid in every environment.
    /// </summary>
    public static JsonObject Valid() => new()
    {
        ["connectors"] = new JsonObject { ["junglebook"] = new JsonObject { ["type"] = "junglebook" } },
        ["integrations"] = new JsonObject
        {
            ["acme"] = new JsonObject
            {
                ["tenantId"] = "t-1",
                ["clientId"] = "acme-client",
                ["clientSecret"] = $"keyvault:{Vault}/secrets/client-secret",
                ["cxone"] = new JsonObject
                {
                    ["issuer"] = "https://cxone.niceincontact.com",
                    ["appClientId"] = "app",
                    ["appClientSecret"] = $"keyvault:{Vault}/secrets/app-secret",
                    ["accessKeyId"] = "key",
                    ["accessKeySecret"] = $"keyvault:{Vault}/secrets/access-key-secret",
                },
                ["pointsOfContact"] = new JsonObject
                {
                    ["jb-1"] = new JsonObject
                    {
                        ["connector"] = "junglebook",
                        ["accountId"] = "monkey-kingdom",
                        ["icon"] = "forum",
                        ["settings"] = new JsonObject { ["token"] = $"keyvault:{Vault}/secrets/jb-token" },
                    },
                },
            },
        },
    };

    public static FakeVault Vault1() => new()
    {
        ["client-secret"] = "c",
        ["app-secret"] = "a",
        ["access-key-secret"] = "k",
        ["jb-token"] = "t",
    };

    public static SecretResolver Secrets => new(Vault1());

    public static JsonObject Acme(this JsonObject deployment) => deployment["integrations"]!["acme"]!.AsObject();

    public static JsonObject Jb1(this JsonObject deployment) => deployment.Acme()["pointsOfContact"]!["jb-1"]!.AsObject();

    public static IReadOnlyList<DeploymentProblem> Problems(JsonObject deployment, string environment = "Production", SecretResolver? secrets = null) =>
        DeploymentFile.Parse(deployment.ToJsonString(), "test").Validate(environment, secrets ?? Secrets);

    public static IReadOnlyList<DeploymentProblem> Problems(string json, string environment = "Production") =>
        DeploymentFile.Parse(json, "test").Validate(environment, Secrets);

    /// <summary>The one problem of <paramref name="field"/>, which must be the only error.</summary>
    public static DeploymentProblem Single(IReadOnlyList<DeploymentProblem> problems, string field)
    {
        var errors = problems.Where(p => p.IsError).ToList();
        var problem = Assert.Single(errors);
        Assert.Equal(field, problem.Field);
        return problem;
    }
}

/// <summary>A Key Vault in memory: secret name → value; a name mapped to an exception throws it.</summary>
internal sealed class FakeVault : Dictionary<string, string>, IKeyVaultSecrets
{
    public List<(Uri Vault, string Name, string? Version)> Calls { get; } = [];

    public Exception? Failure { get; set; }

    public string? GetSecret(Uri vault, string name, string? version)
    {
        Calls.Add((vault, name, version));
        if (Failure is not null)
        {
            throw Failure;
        }

        return TryGetValue(version is null ? name : $"{name}/{version}", out var value) ? value : null;
    }

    public static RequestFailedException Forbidden() => new(403, "Caller is not authorized to perform action on resource.");
}
