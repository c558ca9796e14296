extern alias edge;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Byoc.Edge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Probe = edge::Byoc.Edge.Admin.Readiness;

namespace Byoc.Edge.Tests.Admin;

/// <summary>The readiness checklist of the public base URL, with the network replaced: no test reaches the internet.</summary>
public sealed class ReadinessApiTests(EdgeHost host) : EdgeTest(host)
{
    private readonly FakeProbe _probe = new();
    private EdgeFactory _edge = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _edge = TestAdmins.CreateEdge(Host, s => s.AddSingleton<Probe.IPublicUrlProbe>(_probe));
    }

    public override async Task DisposeAsync()
    {
        await _edge.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task A_public_https_url_whose_token_endpoint_refuses_a_made_up_client_passes_every_check()
    {
        _probe.Addresses["byoc.example.com"] = [IPAddress.Parse("20.50.60.70")];

        var report = await CheckAsync("https://byoc.example.com");

        Assert.True(report.GetProperty("ready").GetBoolean());
        Assert.All(Checks(report), c => Assert.Equal("passed", c.Status));
        Assert.Equal(["url", "https", "not-aws-gateway", "dns-a-record", "public-address", "reachable", "token-endpoint"], Checks(report).Select(c => c.Id));
        Assert.Contains(_probe.Requests, r => r == "POST https://byoc.example.com/1.0/token");
    }

    [Fact]
    public async Task An_http_aws_gateway_host_fails_both_rules_with_the_reason()
    {
        _probe.Addresses["abc123.execute-api.eu-west-1.amazonaws.com"] = [IPAddress.Parse("52.1.2.3")];

        var report = await CheckAsync("http://abc123.execute-api.eu-west-1.amazonaws.com/prod");

        Assert.False(report.GetProperty("ready").GetBoolean());
        var checks = Checks(report).ToDictionary(c => c.Id);
        Assert.Equal("failed", checks["https"].Status);
        Assert.Contains("https://", checks["https"].Detail, StringComparison.Ordinal);
        Assert.Equal("failed", checks["not-aws-gateway"].Status);
        Assert.Contains("custom domain", checks["not-aws-gateway"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_without_an_A_record_fails_and_nothing_is_sent_to_it()
    {
        var report = await CheckAsync("https://nowhere.example.com");

        var checks = Checks(report).ToDictionary(c => c.Id);
        Assert.Equal("failed", checks["dns-a-record"].Status);
        Assert.Contains("no A record", checks["dns-a-record"].Detail, StringComparison.Ordinal);
        Assert.Equal("skipped", checks["reachable"].Status);
        Assert.Equal("skipped", checks["token-endpoint"].Status);
        Assert.Empty(_probe.Requests);
    }

    [Fact]
    public async Task A_name_resolving_to_a_private_address_fails_and_the_edge_is_not_aimed_at_it()
    {
        _probe.Addresses["intranet.example.com"] = [IPAddress.Parse("10.0.0.5")];

        var report = await CheckAsync("https://intranet.example.com");

        var checks = Checks(report).ToDictionary(c => c.Id);
        Assert.Equal("passed", checks["dns-a-record"].Status);
        Assert.Equal("failed", checks["public-address"].Status);
        Assert.Contains("10.0.0.5", checks["public-address"].Detail, StringComparison.Ordinal);
        Assert.Empty(_probe.Requests);
    }

    [Fact]
    public async Task An_unreachable_host_and_a_token_path_that_is_not_an_oauth_endpoint_fail_with_what_was_answered()
    {
        _probe.Addresses["byoc.example.com"] = [IPAddress.Parse("20.50.60.70")];
        _probe.Unreachable = true;
        var unreachable = Checks(await CheckAsync("https://byoc.example.com")).ToDictionary(c => c.Id);
        _probe.Unreachable = false;
        _probe.TokenAnswer = new Probe.ProbeAnswer(200, "<html>hello</html>", null);

        var wrongEndpoint = Checks(await CheckAsync("https://byoc.example.com")).ToDictionary(c => c.Id);

        Assert.Equal("failed", unreachable["reachable"].Status);
        Assert.Contains("connection refused", unreachable["reachable"].Detail, StringComparison.Ordinal);
        Assert.Equal("passed", wrongEndpoint["reachable"].Status);
        Assert.Equal("failed", wrongEndpoint["token-endpoint"].Status);
        Assert.Contains("200", wrongEndpoint["token-endpoint"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_configured_public_base_url_is_checked_when_none_is_given_and_a_bad_one_names_the_field()
    {
        await using var configured = TestAdmins.CreateEdge(Host, s => s.AddSingleton<Probe.IPublicUrlProbe>(_probe));
        using var unset = configured.CreateClient().As("Byoc.Viewer");

        var report = await unset.GetFromJsonAsync<JsonElement>("/admin/api/readiness");
        using var bad = await unset.GetAsync("/admin/api/readiness?baseUrl=not%20a%20url");

        Assert.Equal("failed", Checks(report).Single().Status);
        Assert.Contains("Edge:PublicBaseUrl", Checks(report).Single().Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("baseUrl", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    private async Task<JsonElement> CheckAsync(string baseUrl)
    {
        using var client = _edge.CreateClient().As("Byoc.Viewer", TestData.TenantA);
        using var response = await client.GetAsync($"/admin/api/readiness?baseUrl={Uri.EscapeDataString(baseUrl)}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static IEnumerable<(string Id, string Status, string Detail)> Checks(JsonElement report) =>
        report.GetProperty("checks").EnumerateArray().Select(c => (c.GetProperty("id").GetString()!, c.GetProperty("status").GetString()!, c.GetProperty("detail").GetString() ?? string.Empty));

    /// <summary>A network of named hosts: a root that answers 200 and a token endpoint that answers as OpenIddict does.</summary>
    private sealed class FakeProbe : Probe.IPublicUrlProbe
    {
        public ConcurrentDictionary<string, IReadOnlyList<IPAddress>> Addresses { get; } = new();

        public ConcurrentQueue<string> Requests { get; } = new();

        public bool Unreachable { get; set; }

        public Probe.ProbeAnswer TokenAnswer { get; set; } = new(400, "{\"error\":\"invalid_client\",\"error_description\":\"The client is unknown.\"}", null);

        public Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken) =>
            Task.FromResult(Addresses.TryGetValue(host, out var found) ? found : []);

        public Task<Probe.ProbeAnswer> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Enqueue($"{request.Method} {request.RequestUri}");
            return Task.FromResult(Unreachable
                ? new Probe.ProbeAnswer(null, null, "connection refused")
                : request.RequestUri!.AbsolutePath.EndsWith("/1.0/token", StringComparison.Ordinal) ? TokenAnswer : new Probe.ProbeAnswer(200, "ok", null));
        }
    }
}
