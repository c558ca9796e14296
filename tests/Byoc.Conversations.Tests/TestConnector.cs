using System.Collections.Concurrent;
using Byoc.Connectors.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Byoc.Testing;

namespace Byoc.Conversations.Tests;

/// <summary>
/// A connector for tests: serves the connector contract on a real port, records what it is asked, and answers as
/// told (the platform accepts, refuses, or cannot be reached).
/// </summary>
public sealed class TestConnector : Connector.ConnectorBase, IAsyncDisposable
{
    private WebApplication? _app;

    public ConcurrentQueue<SendRequest> Sends { get; } = new();

    public ConcurrentQueue<SendSenderActionRequest> SenderActions { get; } = new();

    /// <summary>When set, Send fails with this status (the platform refused, or is down).</summary>
    public StatusCode? FailSendsWith { get; set; }

    /// <summary>With <see cref="FailSendsWith"/>: what the connector says of the failure (trailer send-failure-bin), as the SDK does.</summary>
    public SendFailure? FailureDetail { get; set; }

    /// <summary>When set, runs on each Send before it is answered (e.g. to cut the connection after the request arrived).</summary>
    public Func<SendRequest, ServerCallContext, Task>? BeforeAnswer { get; set; }

    /// <summary>Recipients whose id starts with this are invalid.</summary>
    public string InvalidRecipientPrefix { get; set; } = "invalid";

    public Uri Url { get; private set; } = null!;

    public async Task StartAsync()
    {
        var port = ServiceProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        _app = builder.Build();
        _app.MapGrpcService<TestConnector>();
        await _app.StartAsync();
        Url = new Uri($"http://localhost:{port}");
    }

    public override async Task<SendResponse> Send(SendRequest request, ServerCallContext context)
    {
        Sends.Enqueue(request);
        if (BeforeAnswer is { } before)
        {
            await before(request, context);
        }

        if (FailSendsWith is { } status)
        {
            var trailers = new Metadata();
            if (FailureDetail is { } detail)
            {
                trailers.Add("send-failure-bin", detail.ToByteArray());
            }

            throw new RpcException(new Status(status, "the platform says no"), trailers);
        }

        var thread = string.IsNullOrEmpty(request.ExternalThreadId) ? $"new-thread-for-{request.Recipients[0].ExternalId}" : request.ExternalThreadId;
        return new SendResponse
        {
            ExternalMessageId = $"platform-msg-{request.IdempotencyKey}",
            ExternalThreadId = string.IsNullOrEmpty(request.ExternalThreadId) ? thread : string.Empty,
            CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            MessageUrl = $"https://platform.example/m/{request.IdempotencyKey}",
            EndUsers = { request.Recipients.Select(r => new Messages.V1.EndUser { ExternalId = r.ExternalId, Nickname = r.Name }) },
        };
    }

    public override Task<ValidateRecipientsResponse> ValidateRecipients(ValidateRecipientsRequest request, ServerCallContext context)
    {
        var invalid = request.Recipients.Where(r => r.ExternalId.StartsWith(InvalidRecipientPrefix, StringComparison.Ordinal)).ToList();
        return Task.FromResult(invalid.Count == 0
            ? new ValidateRecipientsResponse { Valid = true }
            : new ValidateRecipientsResponse
            {
                Valid = false,
                DisplayErrorMessage = "Unknown Junglebook user",
                Errors = { invalid.Select(r => new Messages.V1.RecipientError { Path = { "idOnExternalPlatform" }, Message = $"{r.ExternalId} is unknown" }) },
            });
    }

    public override Task<SendSenderActionResponse> SendSenderAction(SendSenderActionRequest request, ServerCallContext context)
    {
        SenderActions.Enqueue(request);
        return Task.FromResult(new SendSenderActionResponse());
    }

    /// <summary>The platform needs a "token" for each account (the admin API checks new points of contact against it).</summary>
    public override Task<DescribeResponse> Describe(DescribeRequest request, ServerCallContext context) =>
        Task.FromResult(new DescribeResponse
        {
            Connector = "test",
            DisplayName = "Test platform",
            CxoneIcon = "forum",
            Settings = { new SettingDescriptor { Key = "token", DisplayName = "Token", Secret = true, Required = true } },
        });

    /// <summary>Accounts whose id starts with "bad" have credentials the platform refuses.</summary>
    public override Task<CheckAccountResponse> CheckAccount(CheckAccountRequest request, ServerCallContext context) =>
        Task.FromResult(request.AccountId.StartsWith("bad", StringComparison.Ordinal)
            ? new CheckAccountResponse { Ok = false, Detail = "401 from the platform: bad token" }
            : new CheckAccountResponse { Ok = true, Detail = "the platform accepted the account's credentials" });

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
