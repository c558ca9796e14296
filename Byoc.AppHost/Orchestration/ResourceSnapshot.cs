using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aspire.Hosting;

/// <summary>One instance as the status page and the tests see it.</summary>
public sealed record ResourceSnapshot(
    string Name,
    string Resource,
    string Type,
    string State,
    string Health,
    int Restarts,
    int? ProcessId,
    int? LastExitCode,
    IReadOnlyList<EndpointSnapshot> Endpoints,
    IReadOnlyList<LinkSnapshot> Links);

public sealed record LinkSnapshot(string Url, string DisplayText);

public sealed record EndpointSnapshot(string Name, string Url, bool IsExternal);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(IReadOnlyList<ResourceSnapshot>))]
internal sealed partial class SnapshotJson : JsonSerializerContext;
