using System.Collections.Concurrent;
using Byoc.Conversations.V1;
using Byoc.Messages.V1;
using Google.Protobuf.WellKnownTypes;
using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Byoc.Edge.Tests.Infrastructure;

/// <summary>
/// Conversations as the Edge sees it: the generated gRPC services of conversations.proto, served in-process on a
/// TestServer. It records every call, and can be told to fail with a gRPC status or never answer.
/// </summary>
public sealed class FakeConversations : IAsyncDisposable
{
    private readonly WebApplication _app;

    /// <param name="overHttp2">Serve on a loopback port over real HTTP/2 instead of TestServer (for deadline tests).</param>
    public FakeConversations(bool overHttp2 = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (overHttp2)
        {
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        builder.Services.AddGrpc();
        builder.Services.AddSingleton(Integrations);
        builder.Services.AddSingleton(Outbound);
        builder.Services.AddSingleton(Operations);
        Administration = new FakeAdministration(Integrations);
        builder.Services.AddSingleton(Administration);
        _app = builder.Build();
        // Only the Edge's own (client-side) deadline may end a call: a server-side deadline would race it and, on
        // TestServer, surface as a stream reset (Internal) instead of DeadlineExceeded.
        _app.Use((context, next) =>
        {
            context.Request.Headers.Remove("grpc-timeout");
            Calls.Enqueue(context.Request.Path.Value ?? string.Empty);
            return next(context);
        });
        _app.MapGrpcService<FakeIntegrations>();
        _app.MapGrpcService<FakeOutbound>();
        _app.MapGrpcService<FakeOperations>();
        _app.MapGrpcService<FakeAdministration>();
        // TestServer starts synchronously; there is no socket to wait for.
        _app.StartAsync().GetAwaiter().GetResult();
        Address = overHttp2 ? _app.Urls.First() : null;
    }

    /// <summary>The HTTP/2 address when served over a real port; null on TestServer.</summary>
    public string? Address { get; }

    /// <summary>Every gRPC method called, in order (e.g. <c>/byoc.administration.v1.Administration/UpdatePointOfContact</c>).</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public FakeIntegrations Integrations { get; } = new();

    public FakeOutbound Outbound { get; } = new();

    public FakeOperations Operations { get; } = new();

    public FakeAdministration Administration { get; }

    public HttpMessageHandler CreateHandler() => Address is null ? _app.GetTestServer().CreateHandler() : new SocketsHttpHandler();

    public void Reset()
    {
        Calls.Clear();
        Integrations.Reset();
        Outbound.Reset();
        Operations.Reset();
        Administration.Reset();
    }

    public async ValueTask DisposeAsync()
    {
        // Held calls must finish, or the server would wait for them on shutdown.
        Integrations.Behaviour.Release();
        Outbound.Behaviour.Release();
        Operations.Behaviour.Release();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// Conversations' operations: the channel refusals it would report, and dead letters, messages and connector health
/// kept in memory and filtered by the caller's tenant scope as Conversations does. Records every scope it was sent.
/// </summary>
public sealed class FakeOperations : Byoc.Conversations.V1.Operations.OperationsBase
{
    public ConcurrentQueue<Byoc.Conversations.V1.ChannelRefusal> Refusals { get; } = new();

    /// <summary>Oldest first, as the stream holds them.</summary>
    public List<DeadLetter> DeadLetters { get; } = [];

    public List<MessageMatch> Messages { get; } = [];

    public GetConnectorHealthResponse Health { get; set; } = new();

    public ConcurrentQueue<TenantScope> Scopes { get; } = new();

    public ConcurrentQueue<ReplayDeadLettersRequest> Replays { get; } = new();

    public FakeBehaviour Behaviour { get; } = new();

    public void Reset()
    {
        Refusals.Clear();
        lock (DeadLetters)
        {
            DeadLetters.Clear();
        }

        Messages.Clear();
        Health = new();
        Scopes.Clear();
        Replays.Clear();
        Behaviour.FailWith = null;
    }

    public override Task<Byoc.Conversations.V1.ListChannelRefusalsResponse> ListChannelRefusals(Byoc.Conversations.V1.ListChannelRefusalsRequest request, ServerCallContext context) =>
        Task.FromResult(new Byoc.Conversations.V1.ListChannelRefusalsResponse { Refusals = { Refusals } });

    public override async Task<ListDeadLetterPageResponse> ListDeadLetterPage(ListDeadLetterPageRequest request, ServerCallContext context)
    {
        await Behaviour.ApplyAsync(context);
        Scopes.Enqueue(request.Scope);
        List<DeadLetter> matching;
        lock (DeadLetters)
        {
            matching = [.. DeadLetters.Where(d => InScope(request.Scope, d.TenantId) && (request.ChannelId.Length == 0 || d.ChannelId == request.ChannelId))];
        }

        if (request.Order == DeadLetterOrder.NewestFirst)
        {
            matching.Reverse();
        }

        var start = request.Cursor.Length == 0 ? 0 : matching.FindIndex(d => d.Id == request.Cursor) + 1;
        var size = request.PageSize == 0 ? 50 : request.PageSize;
        var page = matching.Skip(start).Take(size).ToList();
        return new ListDeadLetterPageResponse
        {
            DeadLetters = { page },
            Total = matching.Count,
            NextCursor = start + size < matching.Count ? page[^1].Id : string.Empty,
        };
    }

    public override async Task<ReplayDeadLettersResponse> ReplayDeadLetters(ReplayDeadLettersRequest request, ServerCallContext context)
    {
        await Behaviour.ApplyAsync(context);
        Replays.Enqueue(request);
        Scopes.Enqueue(request.Scope);
        var response = new ReplayDeadLettersResponse();
        lock (DeadLetters)
        {
            foreach (var id in request.Ids)
            {
                var letter = DeadLetters.FirstOrDefault(d => d.Id == id && InScope(request.Scope, d.TenantId));
                if (letter is null)
                {
                    response.NotReplayedIds.Add(id);
                    continue;
                }

                DeadLetters.Remove(letter);
                response.ReplayedIds.Add(id);
                response.ReplayedDeadLetters.Add(letter);
            }
        }

        response.Replayed = response.ReplayedIds.Count;
        return response;
    }

    public override async Task<FindMessageResponse> FindMessage(FindMessageRequest request, ServerCallContext context)
    {
        await Behaviour.ApplyAsync(context);
        Scopes.Enqueue(request.Scope);
        return new FindMessageResponse
        {
            Matches = { Messages.Where(m => InScope(request.Scope, m.TenantId) && (m.CxoneId == request.Id || m.PlatformId == request.Id)) },
        };
    }

    public override async Task<GetConnectorHealthResponse> GetConnectorHealth(GetConnectorHealthRequest request, ServerCallContext context)
    {
        await Behaviour.ApplyAsync(context);
        Scopes.Enqueue(request.Scope);
        return new GetConnectorHealthResponse
        {
            Connectors = { Health.Connectors },
            Accounts = { Health.Accounts.Where(a => InScope(request.Scope, a.TenantId)) },
        };
    }

    private static bool InScope(TenantScope scope, string tenantId) => scope.AllTenants || scope.TenantIds.Contains(tenantId);
}

/// <summary>How a fake answers the next calls: normally, with a gRPC error, or not at all (until the caller gives up).</summary>
public sealed class FakeBehaviour
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets calls held by <see cref="NeverAnswer"/> finish.</summary>
    public void Release() => _released.TrySetResult();

    public StatusCode? FailWith { get; set; }

    public bool NeverAnswer { get; set; }

    public async Task ApplyAsync(ServerCallContext context)
    {
        if (NeverAnswer)
        {
            // Holds the call until the fake is reset: only the caller's deadline can end the wait on its side.
            // (Observing the call's cancellation would make TestServer reset the stream first, reported as Internal.)
            await _released.Task;
            throw new RpcException(new Status(StatusCode.Cancelled, "released"));
        }

        if (FailWith is { } status)
        {
            throw new RpcException(new Status(status, $"fake {status}"));
        }
    }
}

public sealed class FakeIntegrations : Byoc.Conversations.V1.Integrations.IntegrationsBase
{
    public sealed record Credential(string ClientId, string Secret, string IntegrationId, string TenantId, long Generation = 0);

    private readonly ConcurrentDictionary<string, Credential> _secrets = new();

    public FakeBehaviour Behaviour { get; private set; } = new();

    public ConcurrentQueue<VerifyClientCredentialsRequest> VerifyCalls { get; } = new();

    public ConcurrentQueue<IssueClientSecretRequest> IssueCalls { get; } = new();

    public ConcurrentQueue<GetSecretGenerationsRequest> GenerationCalls { get; } = new();

    public ConcurrentQueue<VerifySettingsTokenRequest> SettingsCalls { get; } = new();

    public ConcurrentQueue<RevokePreviousClientSecretRequest> RevokeCalls { get; } = new();

    public void Reset()
    {
        Behaviour.Release();
        Behaviour = new FakeBehaviour();
        VerifyCalls.Clear();
        IssueCalls.Clear();
        GenerationCalls.Clear();
        SettingsCalls.Clear();
        RevokeCalls.Clear();
        _secrets.Clear();
        Add(new Credential(TestData.ClientA, TestData.SecretA, TestData.IntegrationA, TestData.TenantA));
        Add(new Credential(TestData.ClientB, TestData.SecretB, TestData.IntegrationB, TestData.TenantB));
    }

    public void Add(Credential credential) => _secrets[credential.Secret] = credential;

    /// <summary>Every secret of the integration stops working; answers the newest generation it had.</summary>
    public long EndAll(string integrationId)
    {
        var mine = _secrets.Values.Where(c => c.IntegrationId == integrationId).ToList();
        foreach (var old in mine)
        {
            Revoke(old.Secret);
        }

        return mine.Count == 0 ? 0 : mine.Max(c => c.Generation);
    }

    /// <summary>The end of a rotation overlap: the old secret stops working.</summary>
    public void Revoke(string secret) => _secrets.TryRemove(secret, out _);

    public override async Task<VerifyClientCredentialsResponse> VerifyClientCredentials(VerifyClientCredentialsRequest request, ServerCallContext context)
    {
        VerifyCalls.Enqueue(request);
        await Behaviour.ApplyAsync(context);
        return _secrets.TryGetValue(request.ClientSecret, out var c) && c.ClientId == request.ClientId
            ? new VerifyClientCredentialsResponse { Valid = true, IntegrationId = c.IntegrationId, TenantId = c.TenantId, SecretGeneration = c.Generation }
            : new VerifyClientCredentialsResponse { Valid = false, KnownClient = _secrets.Values.Any(k => k.ClientId == request.ClientId) };
    }

    public override async Task<IssueClientSecretResponse> IssueClientSecret(IssueClientSecretRequest request, ServerCallContext context)
    {
        IssueCalls.Enqueue(request);
        await Behaviour.ApplyAsync(context);
        var current = _secrets.Values.Where(c => c.IntegrationId == request.IntegrationId).MaxBy(c => c.Generation)
            ?? throw new RpcException(new Status(StatusCode.NotFound, "no such integration"));
        var fresh = current with { Secret = $"rotated-{Guid.NewGuid():N}", Generation = current.Generation + 1 };
        Add(fresh);
        return new IssueClientSecretResponse
        {
            ClientId = fresh.ClientId,
            ClientSecret = fresh.Secret,
            PreviousSecretValidUntil = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow + request.PreviousSecretOverlap.ToTimeSpan()),
            SecretGeneration = fresh.Generation,
        };
    }

    /// <summary>Knows one CXone, <see cref="TestData.CxoneHostA"/> (tenant A), which accepts the token "good".</summary>
    public override async Task<VerifySettingsTokenResponse> VerifySettingsToken(VerifySettingsTokenRequest request, ServerCallContext context)
    {
        SettingsCalls.Enqueue(request);
        await Behaviour.ApplyAsync(context);
        if (request.CxoneHost != TestData.CxoneHostA)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"cxone_host: no integration uses the CXone host '{request.CxoneHost}'"));
        }

        return request.Token == "good"
            ? new VerifySettingsTokenResponse { Valid = true, TenantId = TestData.TenantA, UserName = "Ada Admin", UserEmail = "ada@a.example" }
            : new VerifySettingsTokenResponse { Valid = false };
    }

    /// <summary>The generations of the secrets that still work (every secret the fake knows of the integration).</summary>
    public override async Task<GetSecretGenerationsResponse> GetSecretGenerations(GetSecretGenerationsRequest request, ServerCallContext context)
    {
        GenerationCalls.Enqueue(request);
        await Behaviour.ApplyAsync(context);
        var generations = _secrets.Values.Where(c => c.IntegrationId == request.IntegrationId).Select(c => c.Generation).Distinct().ToList();
        return generations.Count == 0
            ? throw new RpcException(new Status(StatusCode.NotFound, "no such integration"))
            : new GetSecretGenerationsResponse { Accepted = { generations.OrderDescending() } };
    }

    public override async Task<RevokePreviousClientSecretResponse> RevokePreviousClientSecret(RevokePreviousClientSecretRequest request, ServerCallContext context)
    {
        RevokeCalls.Enqueue(request);
        await Behaviour.ApplyAsync(context);
        var current = _secrets.Values.Where(c => c.IntegrationId == request.IntegrationId).MaxBy(c => c.Generation)
            ?? throw new RpcException(new Status(StatusCode.NotFound, "no such integration"));
        foreach (var old in _secrets.Values.Where(c => c.IntegrationId == request.IntegrationId && c.Generation != current.Generation))
        {
            Revoke(old.Secret);
        }

        return new RevokePreviousClientSecretResponse { CurrentGeneration = current.Generation };
    }
}

public sealed class FakeOutbound : Byoc.Conversations.V1.Outbound.OutboundBase
{
    private readonly ConcurrentDictionary<string, DeliverResponse> _delivered = new();
    private int _sent;

    public FakeBehaviour Behaviour { get; private set; } = new();

    public ConcurrentQueue<DeliverRequest> DeliverCalls { get; } = new();

    public ConcurrentQueue<ValidateRecipientsRequest> ValidateCalls { get; } = new();

    public ConcurrentQueue<SendSenderActionRequest> SenderActionCalls { get; } = new();

    /// <summary>Messages actually handed to a platform: a repeated idempotency key does not send again.</summary>
    public int Sent => _sent;

    public void Reset()
    {
        Behaviour.Release();
        Behaviour = new FakeBehaviour();
        DeliverCalls.Clear();
        ValidateCalls.Clear();
        SenderActionCalls.Clear();
        _delivered.Clear();
        _sent = 0;
    }

    public override async Task<DeliverResponse> Deliver(DeliverRequest request, ServerCallContext context)
    {
        DeliverCalls.Enqueue(request);
        await Behaviour.ApplyAsync(context);
        CheckChannel(request.IntegrationId, request.ChannelId);
        return _delivered.GetOrAdd(request.IdempotencyKey, _ =>
        {
            var n = Interlocked.Increment(ref _sent);
            var response = new DeliverResponse
            {
                MessageId = $"msg-{n}",
                CreatedAt = Timestamp.FromDateTimeOffset(TestData.DeliveredAt),
                MessageUrl = $"https://platform.example/messages/msg-{n}",
                ThreadId = string.IsNullOrEmpty(request.ThreadId) ? "thread-created-by-platform" : request.ThreadId,
            };
            response.Recipients.Add(request.Recipients);
            response.EndUserIdentities.Add(request.Recipients.Select(r => new EndUser
            {
                ExternalId = r.ExternalId,
                FirstName = r.Name.Split(' ')[0],
                LastName = r.Name.Contains(' ', StringComparison.Ordinal) ? r.Name[(r.Name.IndexOf(' ', StringComparison.Ordinal) + 1)..] : string.Empty,
                Nickname = "@" + r.Name.Split(' ')[0].ToLowerInvariant(),
            }));
            return response;
        });
    }

    public override async Task<ValidateRecipientsResponse> ValidateRecipients(ValidateRecipientsRequest request, ServerCallContext context)
    {
        ValidateCalls.Enqueue(request);
        await Behaviour.ApplyAsync(context);
        CheckChannel(request.IntegrationId, request.ChannelId);
        // The fake connector speaks SMS: a recipient is a phone number.
        var bad = request.Recipients.Where(r => !r.ExternalId.StartsWith('+')).ToList();
        var response = new ValidateRecipientsResponse { Valid = bad.Count == 0 };
        if (bad.Count > 0)
        {
            response.DisplayErrorMessage = "Invalid recipient format";
            response.Errors.Add(new RecipientError { Path = { "idOnExternalPlatform" }, Message = "Invalid recipient format" });
        }

        return response;
    }

    public override async Task<SendSenderActionResponse> SendSenderAction(SendSenderActionRequest request, ServerCallContext context)
    {
        SenderActionCalls.Enqueue(request);
        await Behaviour.ApplyAsync(context);
        CheckChannel(request.IntegrationId, request.ChannelId);
        return new SendSenderActionResponse();
    }

    private static void CheckChannel(string integrationId, string channelId)
    {
        if (string.IsNullOrEmpty(channelId))
        {
            return;
        }

        if (!TestData.ChannelOwners.TryGetValue(channelId, out var owner))
        {
            throw new RpcException(new Status(StatusCode.NotFound, "no such channel"));
        }

        if (owner != integrationId)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "channel of another integration"));
        }
    }
}
