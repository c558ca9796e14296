using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Byoc.EndToEnd.Tests.Hostile;

/// <summary>
/// An OTLP/HTTP collector on loopback that the product's processes export their traces and logs to (each to a base
/// path of its own: <c>/{resource}/v1/traces</c>), so a test can search what leaves a process as telemetry. Only what
/// arrives while a recording is open is kept: the load tests on the same app export far more than anyone reads.
/// </summary>
public sealed class TelemetryReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private Recording? _recording;

    private TelemetryReceiver(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The collector's base address; a process exports to <c>{Address}{resource}</c>.</summary>
    public Uri Address { get; }

    public static async Task<TelemetryReceiver> StartAsync()
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new TelemetryReceiver(app, new Uri($"http://127.0.0.1:{port}/"));
        app.MapPost("/{resource}/v1/{signal}", async (string resource, string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            var source = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(request.Body, CompressionMode.Decompress)
                : request.Body;
            await source.CopyToAsync(body);
            Volatile.Read(ref receiver._recording)?.Add(resource, signal, body.ToArray());
            // An empty ExportTraceServiceResponse (or logs, metrics): all accepted.
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Keeps what arrives from now until the recording is disposed.</summary>
    public Recording Record()
    {
        var recording = new Recording(this);
        Volatile.Write(ref _recording, recording);
        return recording;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The export requests received while open, each as text (OTLP protobuf holds strings as UTF-8 bytes).</summary>
    public sealed class Recording(TelemetryReceiver receiver) : IDisposable
    {
        private readonly ConcurrentQueue<(string Resource, string Signal, string Text)> _exports = new();

        public IReadOnlyList<(string Resource, string Signal, string Text)> Exports => [.. _exports];

        /// <summary>True once <paramref name="resource"/> exported <paramref name="signal"/> holding <paramref name="marker"/>.</summary>
        public bool Holds(string resource, string signal, string marker) =>
            _exports.Any(e => e.Resource == resource && e.Signal == signal && e.Text.Contains(marker, StringComparison.Ordinal));

        internal void Add(string resource, string signal, byte[] body) => _exports.Enqueue((resource, signal, Encoding.Latin1.GetString(body)));

        public void Dispose() => Interlocked.CompareExchange(ref receiver._recording, null, this);
    }
}
