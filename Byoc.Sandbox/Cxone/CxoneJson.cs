using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Byoc.Sandbox.Cxone;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CxoneErrorBody))]
[JsonSerializable(typeof(OAuthError))]
[JsonSerializable(typeof(CxoneFault))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonArray))]
public sealed partial class CxoneJson : JsonSerializerContext;
