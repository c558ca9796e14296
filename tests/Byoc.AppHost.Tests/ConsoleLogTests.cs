using Byoc.AppHost.Orchestration;

namespace Byoc.AppHost.Tests;

public sealed class ConsoleLogTests
{
    [Fact]
    public void Each_line_is_prefixed_with_its_source_padded_to_the_longest_name()
    {
        var output = new StringWriter();
        var log = new ConsoleLog(output, colour: false);
        log.Register("conversations-0");

        log.Write("edge", "Now listening");

        Assert.Equal($"edge{new string(' ', 11)} | Now listening{Environment.NewLine}", output.ToString());
    }

    [Fact]
    public void Coloured_output_wraps_the_prefix_in_one_colour_per_source()
    {
        var output = new StringWriter();
        var log = new ConsoleLog(output, colour: true);

        log.Write("edge", "one");
        log.Write("redis", "two");

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("\u001b[", lines[0], StringComparison.Ordinal);
        Assert.NotEqual(lines[0][..5], lines[1][..5]);
        Assert.EndsWith("\u001b[0m one", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_most_recent_lines_of_a_source_are_kept()
    {
        var log = new ConsoleLog(TextWriter.Null, colour: false);

        for (var i = 0; i < 600; i++)
        {
            log.Write("edge", $"line {i}");
        }

        var lines = log.Lines("edge");
        Assert.Equal(500, lines.Count);
        Assert.Equal("line 100", lines[0]);
        Assert.Equal("line 599", lines[^1]);
        Assert.Empty(log.Lines("nobody"));
    }

    [Fact]
    public void The_resource_table_lists_state_health_restarts_and_endpoints_of_every_instance_then_where_to_click()
    {
        var snapshots = new[]
        {
            new ResourceSnapshot("redis", "redis", "Redis", "Running", "Healthy", 0, 42, null, [new EndpointSnapshot("tcp", "tcp://127.0.0.1:6000", false)], []),
            new ResourceSnapshot("edge", "edge", "Project", "Restarting", "Unknown", 3, null, 137, [new EndpointSnapshot("http", "http://127.0.0.1:5100", true)], [new LinkSnapshot("http://127.0.0.1:5100/scalar", "API")]),
        };

        var table = Orchestrator.FormatTable(snapshots, new Uri("http://127.0.0.1:15888"));

        var lines = table.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("RESOURCE", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^redis\s+Running\s+Healthy\s+0\s+42\s+tcp://127\.0\.0\.1:6000$", lines[1]);
        Assert.Matches(@"^edge\s+Restarting\s+Unknown\s+3\s+-\s+http://127\.0\.0\.1:5100 \(external\)$", lines[2]);
        Assert.Equal("Try it:", lines[3]);
        Assert.Equal("  API  http://127.0.0.1:5100/scalar", lines[4]);
        Assert.Equal("Status page: http://127.0.0.1:15888/", lines[5]);
    }
}
