extern alias edge;
using System.Net;
using Byoc.Edge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Byoc.Edge.Tests;

/// <summary>The DFO 3.0 request and answer, logged once per integration per hour so an operator can confirm the shapes.</summary>
public sealed class Dfo3ObservationTests(EdgeHost host) : EdgeTest(host)
{
    private const string Request = """
        {"thread": {"idOnExternalPlatform": "thread-obs"}, "messageContent": {"type": "TEXT", "payload": {"text": "observed-text-5521"}},
         "endUserRecipients": [{"idOnExternalPlatform": "user-1", "name": "Jane Doe"}], "accessToken": "hunter2"}
        """;

    [Fact]
    public async Task The_first_request_and_answer_of_an_integration_are_logged_at_information_as_shapes_without_values()
    {
        var time = new ManualTime(TestData.DeliveredAt);
        await using var edge = WithClock(time);
        using var client = edge.CreateClient();
        var token = await TokenAsync(client);

        using var response = await PostAsync(client, $"/2.0/channel/{TestData.ChannelA}/outbound", Request, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = Assert.Single(Observations(edge));
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Contains(TestData.IntegrationA, entry.Message, StringComparison.Ordinal);
        // The keys an operator checks are there; the customer's text, names, ids and any credential are not.
        Assert.Contains("\"thread\":{\"idOnExternalPlatform\":\"string(10)\"}", entry.Message, StringComparison.Ordinal);
        Assert.Contains("\"payload\":{\"text\":\"string(18)\"}", entry.Message, StringComparison.Ordinal);
        Assert.Contains("\"endUserRecipients\":[{", entry.Message, StringComparison.Ordinal);
        Assert.Contains("Byoc answered {\"message\":", entry.Message, StringComparison.Ordinal);
        Assert.Contains("\"idOnExternalPlatform\":\"string(", entry.Message, StringComparison.Ordinal);
        foreach (var value in new[] { "observed-text-5521", "Jane Doe", "user-1", "thread-obs", "hunter2", "msg-" })
        {
            Assert.DoesNotContain(value, entry.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Further_requests_of_the_same_integration_are_logged_again_only_after_an_hour()
    {
        var time = new ManualTime(TestData.DeliveredAt);
        await using var edge = WithClock(time);
        using var client = edge.CreateClient();
        var token = await TokenAsync(client);

        for (var i = 0; i < 3; i++)
        {
            using var response = await PostAsync(client, $"/2.0/channel/{TestData.ChannelA}/outbound", Request.Replace("5521", $"55{i}", StringComparison.Ordinal), token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            time.Advance(TimeSpan.FromMinutes(20));
        }

        Assert.Single(Observations(edge));

        using var afterAnHour = await PostAsync(client, $"/2.0/channel/{TestData.ChannelA}/outbound", Request.Replace("5521", "late", StringComparison.Ordinal), token);

        Assert.Equal(HttpStatusCode.OK, afterAnHour.StatusCode);
        Assert.Equal(2, Observations(edge).Count);
        Assert.Contains("\"text\":\"string(18)\"", Observations(edge)[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_integration_is_throttled_on_its_own()
    {
        var time = new ManualTime(TestData.DeliveredAt);
        await using var edge = WithClock(time);
        using var client = edge.CreateClient();
        var tokenA = await TokenAsync(client, TestData.ClientA, TestData.SecretA);
        var tokenB = await TokenAsync(client, TestData.ClientB, TestData.SecretB);

        using var a = await PostAsync(client, $"/2.0/channel/{TestData.ChannelA}/outbound", Request, tokenA);
        using var b = await PostAsync(client, $"/2.0/channel/{TestData.ChannelB}/outbound", Request, tokenB);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (a.StatusCode, b.StatusCode));
        var entries = Observations(edge);
        Assert.Equal(2, entries.Count);
        Assert.Contains(entries, e => e.Message.Contains(TestData.IntegrationA, StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Message.Contains(TestData.IntegrationB, StringComparison.Ordinal));
    }

    // Only the throttle's clock is the test's: token lifetimes keep the real one.
    private EdgeFactory WithClock(TimeProvider time) => Host.Create(services: s =>
        s.AddSingleton(sp => new edge::Byoc.Edge.Cxone.Dfo3Observations(time, sp.GetRequiredService<ILogger<edge::Byoc.Edge.Cxone.Dfo3Observations>>())));

    private static List<LogEntry> Observations(EdgeFactory edge) =>
        [.. edge.Logs.Entries.Where(e => e.Category.EndsWith("Dfo3Observations", StringComparison.Ordinal))];
}
