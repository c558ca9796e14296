using Byoc.Connectors.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Byoc.Connectors.Tests;

/// <summary>
/// A connector hosted in-process, its Conversations clients pointed at a <see cref="FakeConversations"/> through
/// service discovery's configuration, and a gRPC client for its connector contract.
/// </summary>
public sealed class ConnectorHost<TProgram>(FakeConversations conversations, IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<TProgram>
    where TProgram : class
{
    private GrpcChannel? _channel;

    public Connector.ConnectorClient Connector => new(_channel ??= GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() }));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("services:conversations:http:0", conversations.Url.ToString().TrimEnd('/'));
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    protected override void Dispose(bool disposing)
    {
        _channel?.Dispose();
        base.Dispose(disposing);
    }
}
