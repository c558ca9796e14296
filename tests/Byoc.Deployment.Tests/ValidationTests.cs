using System.Text.Json.Nodes;
using static Byoc.Deployment.Tests.Deployments;

namespace Byoc.Deployment.Tests;

/// <summary>One test per rule of docs/configuration.md, "Validation": each asserts the field and the expectation.</summary>
public sealed class ValidationTests
{
    [Fact]
    public void The_valid_deployment_has_no_problem_in_any_environment()
    {
        Assert.Empty(Problems(Valid(), "Production"));
        Assert.Empty(Problems(Valid(), "Development"));
    }

    [Fact]
    public void A_missing_file_names_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"byoc-{Guid.NewGuid():N}.json");

        var problem = Assert.Single(DeploymentFile.Load(path).Problems);

        Assert.Equal(path, problem.Field);
        Assert.Equal("a readable deployment file", problem.Expected);
        Assert.Equal("no such file", problem.Found);
    }

    [Fact]
    public void A_file_that_cannot_be_read_is_not_validated_further()
    {
        var path = Path.Combine(Path.GetTempPath(), $"byoc-{Guid.NewGuid():N}.json");

        var problems = DeploymentFile.Load(path).Validate("Production", Secrets);

        Assert.Equal(path, Assert.Single(problems).Field);
    }

    [Fact]
    public void A_file_that_is_not_json_names_the_line()
    {
        var problem = Assert.Single(DeploymentFile.Parse("{\n  \"connectors\": {\n    \"junglebook\": { \"type\": junglebook }\n  }\n}", "byoc.json").Problems);

        Assert.Equal("byoc.json", problem.Field);
        Assert.Equal("JSON (comments and trailing commas allowed)", problem.Expected);
        Assert.Equal("'j' is an invalid start of a value (line 3)", problem.Found);
    }

    [Fact]
    public void A_file_that_is_not_an_object_is_refused()
    {
        var problem = Assert.Single(DeploymentFile.Parse("[]", "byoc.json").Problems);

        Assert.Equal(("byoc.json", "a JSON object with connectors and integrations", "array"), (problem.Field, problem.Expected, problem.Found));
    }

    [Fact]
    public void The_old_wrapped_provisioning_file_is_named_as_such()
    {
        var problems = Problems("""{ "Byoc": { "Provisioning": { "Integrations": [] } } }""");

        var wrapper = Assert.Single(problems);
        Assert.Equal("Byoc", wrapper.Field);
        Assert.StartsWith("connectors and integrations at the top level of a deployment file (not wrapped in {\"Byoc\":{\"Provisioning\":…}}", wrapper.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_field_is_named_with_the_fields_expected_there()
    {
        var deployment = Valid();
        deployment.Jb1()["acountId"] = "typo";

        var problem = Single(Problems(deployment), "integrations:acme:pointsOfContact:jb-1:acountId");

        Assert.Equal("a field of a point of contact: id, connector, accountId, name, icon, registerAtCxone, settings", problem.Expected);
        Assert.Equal("an unknown field", problem.Found);
    }

    [Fact]
    public void Channels_under_an_integration_are_pointed_to_points_of_contact()
    {
        var deployment = Valid();
        deployment.Acme()["channels"] = new JsonArray();

        var problem = Single(Problems(deployment), "integrations:acme:channels");

        Assert.EndsWith("(channels are \"pointsOfContact\" in a deployment file)", problem.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void An_element_of_a_list_without_an_id_is_named_by_its_index()
    {
        var problems = Problems("""{ "connectors": [ { "type": "junglebook" } ] }""");

        var problem = Assert.Single(problems, p => p.Field == "connectors:0:id");
        Assert.Equal("an \"id\" on every element of connectors (its lists are keyed by id; or write connectors as an object keyed by id)", problem.Expected);
    }

    [Fact]
    public void Two_elements_of_a_list_with_one_id_are_refused()
    {
        var problems = Problems("""{ "connectors": [ { "id": "junglebook" }, { "id": "JungleBook" } ] }""");

        var problem = Assert.Single(problems, p => p.Field == "connectors:1:id");
        Assert.Equal(("an id used once in connectors", "'JungleBook', also the id of element 0"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void An_id_inside_an_entry_must_be_its_key()
    {
        var deployment = Valid();
        deployment.Jb1()["id"] = "jb-2";

        var problem = Single(Problems(deployment), "integrations:acme:pointsOfContact:jb-1:id");

        Assert.Equal(("the same id as its key 'jb-1' (or no id at all)", "'jb-2'"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void A_list_given_as_a_single_value_is_refused()
    {
        var deployment = Valid();
        deployment["connectors"] = "junglebook";

        var problems = Problems(deployment);

        var problem = Assert.Single(problems, p => p.Field == "connectors");
        Assert.Equal(("an object keyed by id, each value a connector", "a single value"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void An_entry_given_as_a_single_value_is_refused()
    {
        var deployment = Valid();
        deployment["connectors"]!["telegram"] = "telegram";

        var problem = Single(Problems(deployment), "connectors:telegram");

        Assert.Equal(("a connector (an object)", "a single value"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void Replicas_that_are_not_a_number_are_refused()
    {
        var deployment = Valid();
        deployment["connectors"]!["junglebook"]!["replicas"] = "two";

        var problem = Single(Problems(deployment), "connectors:junglebook:replicas");

        Assert.Equal(("a whole number", "'two'"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void A_flag_that_is_not_true_or_false_is_refused()
    {
        var deployment = Valid();
        deployment.Jb1()["registerAtCxone"] = "yes";

        var problem = Single(Problems(deployment), "integrations:acme:pointsOfContact:jb-1:registerAtCxone");

        Assert.Equal(("true or false", "'yes'"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void A_connector_name_that_cannot_name_a_resource_is_refused()
    {
        var deployment = Valid();
        deployment["connectors"]!["Support_Desk"] = new JsonObject { ["type"] = "webhook" };

        var problem = Single(Problems(deployment), "connectors:Support_Desk");

        Assert.StartsWith("a connector name of lower-case letters, digits and single '-', starting with a letter", problem.Expected, StringComparison.Ordinal);
        Assert.Equal("'Support_Desk'", problem.Found);
    }

    [Fact]
    public void An_unknown_connector_type_names_the_known_ones()
    {
        var deployment = Valid();
        deployment["connectors"]!["pigeon"] = new JsonObject();

        var problem = Single(Problems(deployment), "connectors:pigeon:type");

        Assert.Equal(("a connector type: one of junglebook, webhook, telegram (default: the connector's name)", "'pigeon'"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void Fewer_than_one_replica_is_refused()
    {
        var deployment = Valid();
        deployment["connectors"]!["junglebook"]!["replicas"] = 0;

        var problem = Single(Problems(deployment), "connectors:junglebook:replicas");

        Assert.Equal(("at least 1 (default 1)", "0"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void A_deployment_without_integrations_is_refused()
    {
        var problem = Single(Problems("""{ "connectors": { "junglebook": {} } }"""), "integrations");

        Assert.Equal(("at least one integration (keyed by CXone's Integration ID)", "none"), (problem.Expected, problem.Found));
    }

    [Theory]
    [InlineData("tenantId", "the CXone tenant's id (required)")]
    [InlineData("clientId", "the client id CXone's BYOC integration presents to the Edge (required)")]
    [InlineData("clientSecret", "the client secret CXone's BYOC integration presents to the Edge, as a secret reference (env:NAME, file:/path or keyvault:https://<vault>.vault.azure.net/secrets/<name>[/<version>]) (required)")]
    [InlineData("cxone:issuer", "the CXone issuer, e.g. https://cxone.niceincontact.com (required)")]
    [InlineData("cxone:appClientId", "the client id of the application registered with NICE (required)")]
    [InlineData("cxone:appClientSecret", "the client secret of the application registered with NICE, as a secret reference (env:NAME, file:/path or keyvault:https://<vault>.vault.azure.net/secrets/<name>[/<version>]) (required)")]
    [InlineData("cxone:accessKeyId", "the id of the tenant's access key (required)")]
    [InlineData("cxone:accessKeySecret", "the secret of the tenant's access key, as a secret reference (env:NAME, file:/path or keyvault:https://<vault>.vault.azure.net/secrets/<name>[/<version>]) (required)")]
    public void A_missing_required_field_of_an_integration_is_named(string field, string expected)
    {
        var deployment = Valid();
        var parent = field.StartsWith("cxone:", StringComparison.Ordinal) ? deployment.Acme()["cxone"]!.AsObject() : deployment.Acme();
        parent.Remove(field.Split(':')[^1]);

        var problem = Single(Problems(deployment), $"integrations:acme:{field}");

        Assert.Equal((expected, "none"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void An_issuer_that_is_not_a_url_is_refused()
    {
        var deployment = Valid();
        deployment.Acme()["cxone"]!["issuer"] = "cxone.niceincontact.com";

        var problem = Single(Problems(deployment), "integrations:acme:cxone:issuer");

        Assert.Equal(("the CXone issuer as an absolute https:// URL", "'cxone.niceincontact.com'"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void A_digital_api_base_that_is_not_https_is_refused_outside_development()
    {
        var deployment = Valid();
        deployment.Acme()["cxone"]!["digitalApiBaseUrl"] = "http://api-de-na1.niceincontact.com/dfo/3.0";

        var problem = Single(Problems(deployment, "Production"), "integrations:acme:cxone:digitalApiBaseUrl");

        Assert.Equal("the Digital API base as an https:// URL (http:// is accepted in Development only)", problem.Expected);
        Assert.Equal("'http://api-de-na1.niceincontact.com/dfo/3.0'", problem.Found);
        Assert.Empty(Problems(deployment, "Development"));
    }

    [Fact]
    public void An_issuer_that_is_not_https_is_refused_outside_development()
    {
        var deployment = Valid();
        deployment.Acme()["cxone"]!["issuer"] = "http://sandbox";
        deployment.Acme()["cxone"]!["digitalApiBaseUrl"] = "http://sandbox/dfo/3.0";

        var problems = Problems(deployment, "Staging");

        Assert.Equal(["integrations:acme:cxone:digitalApiBaseUrl", "integrations:acme:cxone:issuer"], problems.Select(p => p.Field).Order());
        Assert.All(problems, p => Assert.EndsWith("as an https:// URL (http:// is accepted in Development only)", p.Expected, StringComparison.Ordinal));
        Assert.Empty(Problems(deployment, "Development"));
    }

    [Fact]
    public void A_digital_api_base_is_required_when_the_issuer_is_not_a_cxone_host()
    {
        var deployment = Valid();
        deployment.Acme()["cxone"]!["issuer"] = "https://cxone.example.com";

        var problem = Single(Problems(deployment), "integrations:acme:cxone:digitalApiBaseUrl");

        Assert.Equal(
            "the Digital API base (e.g. https://api-de-na1.niceincontact.com/dfo/3.0): required when the issuer is not a CXone host (*.niceincontact.com, *.nice-incontact.com, *.nicecxone-gov.com), whose discovery document gives it",
            problem.Expected);
        Assert.Equal("none", problem.Found);
    }

    [Theory]
    [InlineData("https://cxone.niceincontact.com")]
    [InlineData("https://cxone-gov.nicecxone-gov.com")]
    [InlineData("https://na1.nice-incontact.com/")]
    public void A_digital_api_base_is_not_required_with_a_cxone_issuer(string issuer)
    {
        var deployment = Valid();
        deployment.Acme()["cxone"]!["issuer"] = issuer;

        Assert.Empty(Problems(deployment));
    }

    [Fact]
    public void A_digital_api_base_not_ending_in_dfo_3_0_is_a_warning()
    {
        var deployment = Valid();
        deployment.Acme()["cxone"]!["digitalApiBaseUrl"] = "https://api-de-na1.niceincontact.com";

        var problem = Assert.Single(Problems(deployment));

        Assert.True(problem.IsWarning);
        Assert.Equal("integrations:acme:cxone:digitalApiBaseUrl", problem.Field);
        Assert.Equal("the Digital API base ending in /dfo/3.0, e.g. https://api-de-na1.niceincontact.com/dfo/3.0", problem.Expected);
    }

    [Fact]
    public void A_point_of_contact_id_used_by_two_integrations_is_refused()
    {
        var deployment = Valid();
        var globex = deployment.Acme().DeepClone().AsObject();
        globex.Remove("pointsOfContact");
        globex["pointsOfContact"] = new JsonObject { ["jb-1"] = new JsonObject { ["connector"] = "junglebook", ["accountId"] = "man-village", ["icon"] = "forum" } };
        deployment["integrations"]!["globex"] = globex;

        var problem = Single(Problems(deployment), "integrations:globex:pointsOfContact:jb-1");

        Assert.Equal(("a point of contact id used once in the whole file (it is the channel's id at CXone)", "also integrations:acme:pointsOfContact:jb-1"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void A_point_of_contact_without_a_connector_is_refused()
    {
        var deployment = Valid();
        deployment.Jb1().Remove("connector");

        var problem = Single(Problems(deployment), "integrations:acme:pointsOfContact:jb-1:connector");

        Assert.Equal(("the name of a connector of this file (junglebook) (required)", "none"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void A_point_of_contact_naming_a_connector_the_file_lacks_is_refused()
    {
        var deployment = Valid();
        deployment.Jb1()["connector"] = "telegram";

        var problem = Single(Problems(deployment), "integrations:acme:pointsOfContact:jb-1:connector");

        Assert.Equal(("the name of a connector of this file: junglebook", "'telegram', which is not one"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void A_point_of_contact_without_an_account_is_refused()
    {
        var deployment = Valid();
        deployment.Jb1().Remove("accountId");

        var problem = Single(Problems(deployment), "integrations:acme:pointsOfContact:jb-1:accountId");

        Assert.Equal(("the account on the platform (e.g. a Junglebook profile, a Telegram bot's name) (required)", "none"), (problem.Expected, problem.Found));
    }

    [Fact]
    public void Two_points_of_contact_for_one_account_are_refused()
    {
        var deployment = Valid();
        deployment.Acme()["pointsOfContact"]!["jb-2"] = new JsonObject { ["connector"] = "JungleBook", ["accountId"] = "monkey-kingdom", ["icon"] = "forum" };

        var problem = Single(Problems(deployment), "integrations:acme:pointsOfContact:jb-2:accountId");

        Assert.Equal("one point of contact per account: account 'monkey-kingdom' of connector 'JungleBook' is already integrations:acme:pointsOfContact:jb-1", problem.Expected);
        Assert.Equal("'monkey-kingdom' a second time", problem.Found);
    }

    [Fact]
    public void A_point_of_contact_without_an_icon_is_refused_listing_cxones_icons()
    {
        var deployment = Valid();
        deployment.Jb1().Remove("icon");

        var problem = Single(Problems(deployment), "integrations:acme:pointsOfContact:jb-1:icon");

        Assert.StartsWith("one of CXone's externalPlatformIcon values (e.g. forum, sms, telegram; all: amazon, apple,", problem.Expected, StringComparison.Ordinal);
        Assert.All(CxoneIcons.All, icon => Assert.Contains(icon, problem.Expected, StringComparison.Ordinal));
        Assert.Equal("none", problem.Found);
    }

    [Fact]
    public void An_icon_cxone_does_not_know_is_refused_listing_cxones_icons()
    {
        var deployment = Valid();
        deployment.Jb1()["icon"] = "carrier-pigeon";

        var problem = Single(Problems(deployment), "integrations:acme:pointsOfContact:jb-1:icon");

        Assert.Equal($"one of CXone's externalPlatformIcon values: {string.Join(", ", CxoneIcons.All)}", problem.Expected);
        Assert.Equal("'carrier-pigeon'", problem.Found);
    }

    [Fact]
    public void An_environment_reference_to_an_unset_variable_is_refused()
    {
        var deployment = Valid();
        deployment.Acme()["clientSecret"] = "env:BYOC_TEST_SURELY_UNSET";

        var problem = Single(Problems(deployment), "integrations:acme:clientSecret");

        Assert.Equal("a secret reference that resolves: the environment variable BYOC_TEST_SURELY_UNSET to be set (it is not)", problem.Expected);
        Assert.Equal("'env:BYOC_TEST_SURELY_UNSET'", problem.Found);
        Assert.True(problem.IsUnresolvedReference);
    }

    [Fact]
    public void A_file_reference_to_a_missing_file_is_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), $"byoc-{Guid.NewGuid():N}");
        var deployment = Valid();
        deployment.Acme()["cxone"]!["accessKeySecret"] = $"file:{path}";

        var problem = Single(Problems(deployment), "integrations:acme:cxone:accessKeySecret");

        Assert.Equal($"a secret reference that resolves: the file {path} to exist (it does not)", problem.Expected);
    }

    [Fact]
    public void A_key_vault_reference_to_a_missing_secret_is_refused()
    {
        var deployment = Valid();
        deployment.Jb1()["settings"]!["token"] = $"keyvault:{Vault}/secrets/no-such-secret";

        var problem = Single(Problems(deployment), "integrations:acme:pointsOfContact:jb-1:settings:token");

        Assert.Equal("a secret reference that resolves: the secret no-such-secret to exist in the Key Vault byoc-kv.vault.azure.net (it does not)", problem.Expected);
    }

    [Fact]
    public void A_key_vault_that_refuses_access_is_named_with_its_answer()
    {
        var vault = Vault1();
        vault.Failure = FakeVault.Forbidden();

        var problems = Problems(Valid(), secrets: new SecretResolver(vault));

        Assert.Equal(4, problems.Count);
        var problem = Assert.Single(problems, p => p.Field == "integrations:acme:clientSecret");
        Assert.Equal("a secret reference that resolves: the secret client-secret to be readable in the Key Vault byoc-kv.vault.azure.net (RequestFailedException: Caller is not authorized to perform action on resource.)", problem.Expected);
    }

    [Theory]
    [InlineData("keyvault:byoc-kv/client-secret")]
    [InlineData("keyvault:http://byoc-kv.vault.azure.net/secrets/client-secret")]
    [InlineData("keyvault:https://byoc-kv.vault.azure.net/keys/client-secret")]
    public void A_key_vault_reference_of_another_form_is_refused(string reference)
    {
        var deployment = Valid();
        deployment.Acme()["clientSecret"] = reference;

        var problem = Single(Problems(deployment), "integrations:acme:clientSecret");

        Assert.Equal("a secret reference that resolves: a Key Vault reference of the form keyvault:https://<vault>.vault.azure.net/secrets/<name>[/<version>]", problem.Expected);
    }

    [Fact]
    public void A_secret_in_clear_is_a_warning_outside_development_and_nothing_in_development()
    {
        var deployment = Valid();
        deployment.Acme()["cxone"]!["appClientSecret"] = "s3cret";

        var problem = Assert.Single(Problems(deployment, "Production"));

        Assert.True(problem.IsWarning);
        Assert.Equal("integrations:acme:cxone:appClientSecret", problem.Field);
        Assert.Equal("a secret reference (env:NAME, file:/path or keyvault:https://<vault>.vault.azure.net/secrets/<name>[/<version>]) rather than the secret in clear", problem.Expected);
        Assert.Equal("a value in clear", problem.Found);
        Assert.DoesNotContain("s3cret", problem.ToString(), StringComparison.Ordinal);
        Assert.Empty(Problems(deployment, "Development"));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var deployment = Valid();
        deployment["connectors"]!["pigeon"] = new JsonObject();
        deployment.Acme().Remove("tenantId");
        deployment.Acme()["cxone"]!["issuer"] = "https://cxone.example.com";
        deployment.Jb1()["icon"] = "carrier-pigeon";
        deployment.Jb1()["settings"]!["token"] = "env:BYOC_TEST_SURELY_UNSET";
        deployment.Acme()["pointsOfContact"]!["jb-2"] = new JsonObject { ["connector"] = "junglebook", ["icon"] = "forum" };

        var problems = Problems(deployment);

        Assert.Equal(
            [
                "connectors:pigeon:type",
                "integrations:acme:cxone:digitalApiBaseUrl",
                "integrations:acme:pointsOfContact:jb-1:icon",
                "integrations:acme:pointsOfContact:jb-1:settings:token",
                "integrations:acme:pointsOfContact:jb-2:accountId",
                "integrations:acme:tenantId",
            ],
            problems.Select(p => p.Field).Order(StringComparer.Ordinal));
        Assert.All(problems, p => Assert.True(p.IsError));
    }

    [Fact]
    public void Check_prints_every_problem_on_its_own_line_and_fails()
    {
        var deployment = Valid();
        deployment.Acme().Remove("tenantId");
        deployment.Jb1()["icon"] = "carrier-pigeon";
        var path = Path.Combine(Path.GetTempPath(), $"byoc-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, deployment.ToJsonString());
        using var output = new StringWriter();

        var exit = DeploymentCheck.Run(path, "Production", output, Secrets);
        File.Delete(path);

        Assert.Equal(1, exit);
        var lines = output.ToString().Trim().Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.Equal("error: integrations:acme:tenantId: expected the CXone tenant's id (required); found none", lines[0]);
        Assert.StartsWith("error: integrations:acme:pointsOfContact:jb-1:icon: expected one of CXone's externalPlatformIcon values: amazon,", lines[1], StringComparison.Ordinal);
        Assert.Equal($"{path}: 2 problems to fix before Byoc can start.", lines[2]);
    }

    [Fact]
    public void Check_passes_with_warnings_printing_them()
    {
        var deployment = Valid();
        deployment.Acme()["clientSecret"] = "in-clear";
        var path = Path.Combine(Path.GetTempPath(), $"byoc-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, deployment.ToJsonString());
        using var output = new StringWriter();

        var exit = DeploymentCheck.Run(path, "Production", output, Secrets);
        File.Delete(path);

        Assert.Equal(0, exit);
        var lines = output.ToString().Trim().Split(Environment.NewLine);
        Assert.StartsWith("warning: integrations:acme:clientSecret: expected a secret reference", lines[0], StringComparison.Ordinal);
        Assert.Equal("OK: 1 connector, 1 integration, 1 point of contact (1 warning)", lines[1]);
    }
}
