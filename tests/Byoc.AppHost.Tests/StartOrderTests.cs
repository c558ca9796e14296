using Byoc.AppHost.Orchestration;

namespace Byoc.AppHost.Tests;

public sealed class StartOrderTests : IDisposable
{
    private readonly TestProject _project = new("Service");
    private readonly IDistributedApplicationBuilder _builder = DistributedApplication.CreateBuilder([]);

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Every_resource_starts_in_a_later_level_than_everything_it_waits_for()
    {
        var redis = _builder.AddRedis("redis");
        var sandbox = _builder.AddProject("sandbox", _project);
        var conversations = _builder.AddProject("conversations", _project).WaitFor(redis);
        var edge = _builder.AddProject("edge", _project).WaitFor(conversations).WaitFor(sandbox);

        var levels = StartOrder.Levels(_builder.Resources);

        Assert.Equal(["redis", "sandbox"], levels[0].Select(r => r.Name));
        Assert.Equal(["conversations"], levels[1].Select(r => r.Name));
        Assert.Equal(["edge"], levels[2].Select(r => r.Name));
        _ = edge;
    }

    [Fact]
    public void References_alone_do_not_delay_a_start_so_services_may_call_each_other()
    {
        var a = _builder.AddProject("a", _project);
        var b = _builder.AddProject("b", _project).WithReference(a);
        a.WithReference(b);

        var levels = StartOrder.Levels(_builder.Resources);

        Assert.Single(levels);
        Assert.Equal(2, levels[0].Count);
    }

    [Fact]
    public void A_cycle_of_waits_is_refused_naming_the_resources_in_it()
    {
        _builder.AddRedis("redis");
        var a = _builder.AddProject("a", _project);
        var b = _builder.AddProject("b", _project).WaitFor(a);
        a.WaitFor(b);

        var error = Assert.Throws<AppHostStartException>(() => StartOrder.Levels(_builder.Resources));

        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
        Assert.Contains("a, b", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("redis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wait_on_a_resource_outside_the_model_is_refused()
    {
        var other = DistributedApplication.CreateBuilder([]).AddRedis("elsewhere");
        _builder.AddProject("a", _project).WaitFor(other);

        var error = Assert.Throws<AppHostStartException>(() => StartOrder.Levels(_builder.Resources));

        Assert.Contains("'elsewhere'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_resources_with_one_name_are_refused()
    {
        _builder.AddProject("edge", _project);

        Assert.Throws<InvalidOperationException>(() => _builder.AddProject("Edge", _project));
    }

    [Fact]
    public void A_health_check_on_an_endpoint_the_resource_lacks_is_refused()
    {
        var edge = _builder.AddProject("edge", _project);

        var error = Assert.Throws<InvalidOperationException>(() => edge.WithHttpHealthCheck("/health", endpointName: "health"));

        Assert.Contains("'health'", error.Message, StringComparison.Ordinal);
    }
}
