using Microsoft.Extensions.Configuration;

namespace Byoc.Deployment.Tests;

public sealed class KeyedMergingTests
{
    private const string First = """
        {
          "connectors": { "junglebook": { "type": "junglebook" } },
          "integrations": {
            "acme": {
              "tenantId": "t-1", "name": "Acme",
              "pointsOfContact": { "jb-1": { "connector": "junglebook", "accountId": "monkey-kingdom", "icon": "forum" } }
            }
          }
        }
        """;

    private const string Second = """
        {
          "connectors": { "telegram": { "type": "telegram" } },
          "integrations": {
            "acme": {
              "name": "Acme Corporation",
              "pointsOfContact": { "tg-1": { "connector": "telegram", "accountId": "acme_bot", "icon": "telegram" } }
            }
          }
        }
        """;

    [Fact]
    public void Two_sources_merge_by_id_field_by_field()
    {
        var load = DeploymentFile.Load([DeploymentSource.FromJson(First, "first"), DeploymentSource.FromJson(Second, "second")]);

        Assert.Empty(load.Problems);
        Assert.Equal(["junglebook", "telegram"], load.File.Connectors.Keys.Order());
        var acme = Assert.Single(load.File.Integrations).Value;
        Assert.Equal("Acme Corporation", acme.Name);
        Assert.Equal("t-1", acme.TenantId);
        Assert.Equal(["jb-1", "tg-1"], acme.PointsOfContact.Keys.Order());
        Assert.Equal("monkey-kingdom", acme.PointsOfContact["jb-1"].AccountId);
    }

    [Fact]
    public void Lists_given_as_arrays_merge_by_id_not_by_index()
    {
        const string first = """
            { "integrations": [ { "id": "acme", "tenantId": "t-1",
                "pointsOfContact": [ { "id": "jb-1", "connector": "junglebook", "accountId": "monkey-kingdom", "icon": "forum",
                                       "settings": { "token": "env:A" } } ] } ] }
            """;
        const string second = """
            { "integrations": [ { "id": "acme",
                "pointsOfContact": [ { "id": "jb-2", "connector": "junglebook", "accountId": "man-village", "icon": "sms" } ] } ] }
            """;

        var load = DeploymentFile.Load([DeploymentSource.FromJson(first, "first"), DeploymentSource.FromJson(second, "second")]);

        Assert.Empty(load.Problems);
        var points = Assert.Single(load.File.Integrations).Value.PointsOfContact;
        Assert.Equal(["jb-1", "jb-2"], points.Keys.Order());
        // Element 0 of the second list did not overwrite element 0 of the first, nor inherit its settings.
        Assert.Equal(("monkey-kingdom", "forum"), (points["jb-1"].AccountId, points["jb-1"].Icon));
        Assert.Equal(("man-village", "sms"), (points["jb-2"].AccountId, points["jb-2"].Icon));
        Assert.Empty(points["jb-2"].Settings);
    }

    [Fact]
    public void An_array_of_objects_with_ids_reads_as_the_keyed_form()
    {
        const string keyed = """{ "connectors": { "jb": { "type": "junglebook", "replicas": 2 } } }""";
        const string array = """{ "connectors": [ { "id": "jb", "type": "junglebook", "replicas": 2 } ] }""";

        var fromKeyed = DeploymentFile.Parse(keyed).File.Connectors["jb"];
        var fromArray = DeploymentFile.Parse(array);

        Assert.Empty(fromArray.Problems);
        var connector = Assert.Single(fromArray.File.Connectors).Value;
        Assert.Equal((fromKeyed.Name, fromKeyed.Type, fromKeyed.Replicas), (connector.Name, connector.Type, connector.Replicas));
    }

    [Fact]
    public void Keys_and_ids_are_case_insensitive()
    {
        const string first = """{ "Integrations": { "ACME": { "TenantId": "t-1", "PointsOfContact": { "JB-1": { "Connector": "junglebook" } } } } }""";
        const string second = """{ "integrations": { "acme": { "pointsofcontact": { "jb-1": { "accountid": "monkey-kingdom" } } } } }""";

        var load = DeploymentFile.Load([DeploymentSource.FromJson(first, "first"), DeploymentSource.FromJson(second, "second")]);

        Assert.Empty(load.Problems);
        var acme = load.File.Integrations["acme"];
        Assert.Equal("t-1", acme.TenantId);
        var point = Assert.Single(acme.PointsOfContact).Value;
        Assert.Equal(("junglebook", "monkey-kingdom"), (point.Connector, point.AccountId));
        Assert.Same(point, load.File.Integrations["Acme"].PointsOfContact["Jb-1"]);
    }

    [Fact]
    public void A_connector_without_a_type_is_of_the_type_of_its_name_with_one_replica()
    {
        var connector = DeploymentFile.Parse("""{ "connectors": { "telegram": {} } }""").File.Connectors["telegram"];

        Assert.Equal(("telegram", 1), (connector.Type, connector.Replicas));
    }

    [Fact]
    public void Connector_settings_are_configuration_relative_to_the_connectors_section()
    {
        var connector = DeploymentFile.Parse("""{ "connectors": { "telegram": { "settings": { "ApiBaseUrl": "https://api.telegram.org", "Limits": { "PerSecond": 30 } } } } }""")
            .File.Connectors["telegram"];

        Assert.Equal("https://api.telegram.org", connector.Settings["ApiBaseUrl"]);
        Assert.Equal("30", connector.Settings["Limits:PerSecond"]);
        Assert.Equal("Telegram", ConnectorTypes.SettingsSection(connector.Type));
    }
}

public sealed class ConfigurationSourceTests
{
    [Fact]
    public void Configuration_keys_in_the_files_shape_override_a_file_by_id()
    {
        var overrides = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Byoc:Deployment:integrations:acme:pointsOfContact:jb-1:icon"] = "sms",
            ["Byoc:Deployment:integrations:acme:pointsOfContact:jb-2:accountId"] = "man-village",
        }).Build().GetSection("Byoc:Deployment");
        const string file = """{ "integrations": [ { "id": "acme", "tenantId": "t-1", "pointsOfContact": [ { "id": "jb-1", "accountId": "monkey-kingdom", "icon": "forum" } ] } ] }""";

        var load = DeploymentFile.Load([DeploymentSource.FromJson(file, "file"), DeploymentSource.FromConfiguration(overrides, "Byoc:Deployment")]);

        Assert.Empty(load.Problems);
        var points = load.File.Integrations["acme"].PointsOfContact;
        Assert.Equal(("monkey-kingdom", "sms"), (points["jb-1"].AccountId, points["jb-1"].Icon));
        Assert.Equal("man-village", points["jb-2"].AccountId);
        Assert.Equal("file, Byoc:Deployment", load.File.Source);
    }

    [Fact]
    public void An_empty_path_is_a_file_that_cannot_be_read()
    {
        var problem = Assert.Single(DeploymentFile.Load("").Validate("Production"));

        Assert.Equal(("a readable deployment file", "no such file"), (problem.Expected, problem.Found));
    }
}
