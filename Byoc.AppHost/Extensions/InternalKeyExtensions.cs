using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

public static class InternalKeyExtensions
{
    /// <summary>
    /// The key a caller of an internal gRPC service presents, generated per run unless given
    /// (<c>Parameters:internal-key-{caller}</c>); a server is given the keys of the callers it accepts, and lets each
    /// call only its own methods (docs/architecture.md, "Credentials and what each can do").
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddInternalKey(this IDistributedApplicationBuilder builder, string caller) =>
        builder.AddParameter($"internal-key-{caller}", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true);
}
