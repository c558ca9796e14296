extern alias sdk;
using System.Text.Json;
using sdk::Byoc.Connectors.Sdk;

namespace Byoc.Connectors.Tests;

public sealed class JsonPathTests
{
    [Theory]
    [InlineData("$", """{"a":1}""")]
    [InlineData("$.a.b[1].c", "x")]
    [InlineData("$['a']['b'][1]['c']", "x")]
    [InlineData("$.a['odd key']", "y")]
    [InlineData("$.a.n", "42")]
    public void The_json_path_subset_selects_names_quoted_names_and_indexes(string path, string expected)
    {
        var root = JsonDocument.Parse("""{"a":{"b":[{"c":"w"},{"c":"x"}],"odd key":"y","n":42}}""").RootElement;

        var found = JsonPath.Select(path == "$" ? JsonDocument.Parse("""{"a":1}""").RootElement : root, path);

        Assert.Equal(expected, found?.ValueKind == JsonValueKind.String ? found.Value.GetString() : found?.GetRawText());
    }

    [Theory]
    [InlineData("$.a.b[5].c")]
    [InlineData("$.a.missing")]
    [InlineData("$.a.b.c")]
    public void The_json_path_subset_finds_nothing_where_a_step_is_missing(string path) =>
        Assert.Null(JsonPath.Select(JsonDocument.Parse("""{"a":{"b":[{"c":"w"}]}}""").RootElement, path));

    [Theory]
    [InlineData("a.b")]
    [InlineData("$.a[?(@.b)]")]
    [InlineData("$..a")]
    [InlineData("$.a[*]")]
    public void The_json_path_subset_refuses_paths_outside_it(string path) =>
        Assert.Throws<FormatException>(() => JsonPath.Select(JsonDocument.Parse("{}").RootElement, path));

    [Fact]
    public void Text_in_a_platform_answer_reads_the_value_and_is_null_for_an_answer_that_is_not_json()
    {
        Assert.Equal("p-1", JsonPath.Text("""{"id":"p-1"}"""u8.ToArray(), "$.id"));
        Assert.Null(JsonPath.Text("<html>ok</html>"u8.ToArray(), "$.id"));
    }
}
