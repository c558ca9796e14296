extern alias edge;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Byoc.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Byoc.Edge.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class SharedEdgeServers : ICollectionFixture<EdgeHost>
{
    public const string Name = "Edge";
}

/// <summary>One real redis-server and one fake Conversations for the whole collection, and a default Edge on them.</summary>
public sealed class EdgeHost : IAsyncLifetime
{
    private EdgeFactory? _edge;

    public RedisServer Redis { get; } = new();

    public FakeConversations Conversations { get; } = new();

    public EdgeFactory Edge => _edge ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        Conversations.Reset();
        _edge = Create();
    }

    private readonly ConcurrentDictionary<string, Lazy<EdgeFactory>> _shared = new(StringComparer.Ordinal);

    /// <summary>An Edge with other settings shared by the tests that ask for it by <paramref name="name"/>; disposed with the collection.</summary>
    public EdgeFactory Shared(string name, Func<EdgeHost, EdgeFactory> create) =>
        _shared.GetOrAdd(name, _ => new Lazy<EdgeFactory>(() => create(this))).Value;

    public async Task DisposeAsync()
    {
        foreach (var shared in _shared.Values.Where(l => l.IsValueCreated))
        {
            await shared.Value.DisposeAsync();
        }

        if (_edge is not null)
        {
            await _edge.DisposeAsync();
        }

        await Conversations.DisposeAsync();
        await Redis.DisposeAsync();
    }

    /// <summary>Another Edge instance on the same Redis and Conversations (a replica, or one with other settings).</summary>
    public EdgeFactory Create(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) =>
        new(Redis.ConnectionString, Conversations, settings ?? new Dictionary<string, string?>(), services);

    /// <summary>Forgets recorded calls and failed token attempts; keeps the shared signing keys.</summary>
    public async Task ResetAsync()
    {
        Conversations.Reset();
        // The fake forgot its rotations; the default Edge must not answer from what it cached of them.
        var generations = Edge.Services.GetRequiredService<edge::Byoc.Edge.Identity.SecretGenerations>();
        generations.Forget(TestData.IntegrationA);
        generations.Forget(TestData.IntegrationB);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        await foreach (var key in server.KeysAsync(pattern: "byoc:v1:edge:token-failures:*"))
        {
            await redis.GetDatabase().KeyDeleteAsync(key);
        }
    }
}

public sealed class EdgeFactory(
    string redis, FakeConversations conversations, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services)
    : WebApplicationFactory<edge::Program>
{
    public const string RemoteAddressHeader = "X-Test-Remote-Address";
    private static readonly string[] GrpcClients = ["IntegrationsClient", "OutboundClient", "OperationsClient", "AdministrationClient", "HealthClient"];

    public RecordingLoggerProvider Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:redis", redis);
        builder.UseSetting("Byoc:InternalKey", "edge-test-internal-key-0123456789");
        builder.UseSetting(KeyRingCertificate.Setting, KeyRingCertificate.Base64);
        builder.UseSetting("services:conversations:http:0", conversations.Address ?? "http://conversations");
        builder.UseSetting("Edge:Admin:ApiKey", TestData.AdminApiKey);
        builder.UseSetting("Edge:Token:AuthorizationPaths:0", TestData.ExtraTokenPath);
        // Short delays, so tests that try wrong secrets stay fast.
        builder.UseSetting("Edge:Token:FreeFailures", "3");
        // Every settings test shares one address (none); the rate limit test sets its own.
        builder.UseSetting("Edge:Settings:PermitsPerMinute", "1000");
        builder.UseSetting("Edge:Token:FailureDelay", "00:00:00.050");
        builder.UseSetting("Edge:Token:MaxFailureDelay", "00:00:00.200");
        // Entra ID bearer tokens for the admin API, signed by the tests (Admin/AdminTokens.cs).
        foreach (var (key, value) in Admin.AdminTokens.Settings)
        {
            builder.UseSetting(key, value);
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(s =>
        {
            foreach (var client in conversations.Address is null ? GrpcClients : [])
            {
                s.AddHttpClient(client).ConfigurePrimaryHttpMessageHandler(conversations.CreateHandler);
            }

            s.AddSingleton<IStartupFilter, RemoteAddressFromHeader>();
            Admin.AdminTokens.TrustTestIssuer(s);
            services?.Invoke(s);
        });
    }

    /// <summary>TestServer has no client address; tests name one to exercise the per-address limit.</summary>
    private sealed class RemoteAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[RemoteAddressHeader], out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return following(context);
            });
            next(app);
        };
    }
}

public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message);

public sealed class RecordingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, Entries);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception)));
    }
}

/// <summary>Shared by every Edge test: a clean fake and limiter before each test, and CXone's requests in a few words.</summary>
[Collection(SharedEdgeServers.Name)]
public abstract class EdgeTest(EdgeHost host) : IAsyncLifetime
{
    protected EdgeHost Host { get; } = host;

    protected FakeConversations Conversations => Host.Conversations;

    protected HttpClient Client { get; } = host.Edge.CreateClient();

    public virtual Task InitializeAsync() => Host.ResetAsync();

    public virtual Task DisposeAsync()
    {
        Client.Dispose();
        return Task.CompletedTask;
    }

    protected static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    protected static Task<HttpResponseMessage> RequestTokenAsync(HttpClient client, string clientId, string secret, string path = "/1.0/token") =>
        client.PostAsync(path, Json(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        })));

    protected static async Task<string> TokenAsync(HttpClient client, string clientId = TestData.ClientA, string secret = TestData.SecretA)
    {
        using var response = await RequestTokenAsync(client, clientId, secret);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("access_token").GetString()!;
    }

    protected static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string json, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(json) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client.SendAsync(request);
    }

    protected static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
