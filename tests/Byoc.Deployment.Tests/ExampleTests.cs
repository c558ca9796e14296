namespace Byoc.Deployment.Tests;

/// <summary>docs/examples/byoc.deployment.json, the complete example of docs/configuration.md, as committed.</summary>
public sealed class ExampleTests : IDisposable
{
    private static readonly string Example = Path.Combine(AppContext.BaseDirectory, "examples", "byoc.deployment.json");

    private static readonly string[] Variables =
    [
        "BYOC_CLIENT_SECRET", "CXONE_APP_CLIENT_SECRET",
        "JB_TOKEN_MONKEY_KINGDOM", "JB_WEBHOOK_SECRET_MONKEY_KINGDOM", "JB_TOKEN_MAN_VILLAGE", "JB_WEBHOOK_SECRET_MAN_VILLAGE",
    ];

    private readonly FakeVault _vault = new()
    {
        ["cxone-access-key-secret"] = "k",
        ["telegram-bot-token"] = "123456:telegram",
        ["telegram-secret-token"] = "s",
    };

    public ExampleTests()
    {
        foreach (var name in Variables)
        {
            Environment.SetEnvironmentVariable(name, $"value-of-{name}");
        }
    }

    public void Dispose()
    {
        foreach (var name in Variables)
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void The_documented_example_is_valid_outside_development_with_its_references_set()
    {
        var load = DeploymentFile.Load(Example);

        Assert.Empty(load.Validate("Production", new SecretResolver(_vault)));
        Assert.Equal(["junglebook", "telegram"], load.File.Connectors.Keys.Order());
        var integration = Assert.Single(load.File.Integrations).Value;
        Assert.Equal(["junglebook-man-village", "junglebook-monkey-kingdom", "telegram-baloo-bot"], integration.PointsOfContact.Keys.Order());
        Assert.Equal(3, _vault.Calls.Count);
    }

    [Fact]
    public void The_documented_example_holds_no_secret_in_clear()
    {
        var load = DeploymentFile.Load(Example);
        var integration = Assert.Single(load.File.Integrations).Value;

        Assert.All(
            new[] { integration.ClientSecret, integration.Cxone.AppClientSecret, integration.Cxone.AccessKeySecret }
                .Concat(integration.PointsOfContact.Values.SelectMany(p => p.Settings.Values)),
            value => Assert.True(SecretReference.IsReference(value), value));
    }

    [Fact]
    public void Checking_the_example_prints_a_summary_and_succeeds()
    {
        using var output = new StringWriter();

        var exit = DeploymentCheck.Run(Example, "Production", output, new SecretResolver(_vault));

        Assert.Equal(0, exit);
        Assert.Equal("OK: 2 connectors, 1 integration, 3 points of contact", output.ToString().Trim());
    }

    [Fact]
    public void Checking_the_example_without_its_variables_names_each_unresolved_reference_and_fails()
    {
        Environment.SetEnvironmentVariable("JB_TOKEN_MAN_VILLAGE", null);
        using var output = new StringWriter();

        var exit = DeploymentCheck.Run(Example, "Production", output, new SecretResolver(_vault));

        Assert.Equal(1, exit);
        var lines = output.ToString().Trim().Split(Environment.NewLine);
        Assert.Equal(
            "error: integrations:6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e:pointsOfContact:junglebook-man-village:settings:token: expected a secret reference that resolves: the environment variable JB_TOKEN_MAN_VILLAGE to be set (it is not); found 'env:JB_TOKEN_MAN_VILLAGE'",
            lines[0]);
        Assert.EndsWith("1 problem to fix before Byoc can start.", lines[^1], StringComparison.Ordinal);
    }
}
