namespace Byoc.Deployment.Tests;

public sealed class SecretReferenceTests
{
    [Fact]
    public void An_env_reference_resolves_to_the_variable()
    {
        var name = $"BYOC_TEST_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(name, "from-env");
        try
        {
            Assert.Equal(new SecretResolution("from-env", null), new SecretResolver(new FakeVault()).TryResolve($"env:{name}"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void A_file_reference_resolves_to_the_file_without_its_final_newline()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "from-file\r\n");
        try
        {
            Assert.Equal("from-file", new SecretResolver(new FakeVault()).Resolve($"file:{path}", "x"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_key_vault_reference_resolves_the_latest_version_from_its_vault()
    {
        var vault = new FakeVault { ["cxone-app-secret"] = "from-vault" };

        var value = new SecretResolver(vault).Resolve("keyvault:https://byoc-kv.vault.azure.net/secrets/cxone-app-secret", "x");

        Assert.Equal("from-vault", value);
        Assert.Equal((new Uri("https://byoc-kv.vault.azure.net"), "cxone-app-secret", (string?)null), Assert.Single(vault.Calls));
    }

    [Fact]
    public void A_key_vault_reference_with_a_version_resolves_that_version()
    {
        var vault = new FakeVault { ["cxone-app-secret"] = "latest", ["cxone-app-secret/0a1b2c"] = "pinned" };

        Assert.Equal("pinned", new SecretResolver(vault).Resolve("keyvault:https://byoc-kv.vault.azure.net/secrets/cxone-app-secret/0a1b2c", "x"));
    }

    [Fact]
    public void A_value_that_is_no_reference_is_the_secret_itself()
    {
        var vault = new FakeVault();

        Assert.Equal("s3cret=", new SecretResolver(vault).Resolve("s3cret=", "x"));
        Assert.False(SecretReference.IsReference("s3cret="));
        Assert.Empty(vault.Calls);
    }

    [Fact]
    public void A_reference_that_does_not_resolve_throws_naming_the_setting_and_never_a_value()
    {
        var vault = new FakeVault { ["other"] = "do-not-print-me" };

        var e = Assert.Throws<DeploymentException>(() => new SecretResolver(vault).Resolve("keyvault:https://byoc-kv.vault.azure.net/secrets/missing", "integrations:acme:clientSecret"));

        Assert.Equal("integrations:acme:clientSecret refers to a secret that does not resolve: expected the secret missing to exist in the Key Vault byoc-kv.vault.azure.net (it does not).", e.Message);
    }

    [Fact]
    public void A_vault_that_cannot_be_reached_after_retries_is_a_problem_naming_the_first_reason()
    {
        var vault = new FakeVault
        {
            Failure = new AggregateException(
                new Azure.RequestFailedException("Name or service not known (byoc-kv.vault.azure.net:443)"),
                new Azure.RequestFailedException("Name or service not known (byoc-kv.vault.azure.net:443)")),
        };

        var resolution = new SecretResolver(vault).TryResolve("keyvault:https://byoc-kv.vault.azure.net/secrets/s");

        Assert.Equal("the secret s to be readable in the Key Vault byoc-kv.vault.azure.net (RequestFailedException: Name or service not known (byoc-kv.vault.azure.net:443))", resolution.Problem);
    }

    [Theory]
    [InlineData("env:", "env:NAME with the name of an environment variable")]
    [InlineData("file:", "file:/path with the path of a file")]
    public void An_empty_reference_says_what_it_needs(string reference, string expected) =>
        Assert.Equal(new SecretResolution(null, expected), new SecretResolver(new FakeVault()).TryResolve(reference));
}
