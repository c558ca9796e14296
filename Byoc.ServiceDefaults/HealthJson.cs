using System.Text.Json;
using System.Text.Json.Serialization;

namespace Byoc.ServiceDefaults;

public sealed record HealthReportBody(string Status, IReadOnlyDictionary<string, string> Entries);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthReportBody))]
internal sealed partial class HealthJson : JsonSerializerContext;
