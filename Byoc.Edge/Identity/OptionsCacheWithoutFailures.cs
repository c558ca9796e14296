using Microsoft.Extensions.Options;

namespace Byoc.Edge.Identity;

/// <summary>
/// The options cache, except that options whose creation threw are not kept. The default cache holds a
/// <see cref="Lazy{T}"/> that remembers the exception: OpenIddict's options take the token keys from Redis
/// (<see cref="TokenKeyRing"/>), so Redis being down at the first token request would break the token endpoint and
/// every callback for the life of the process. With this, the next request tries again.
/// </summary>
public sealed class OptionsCacheWithoutFailures<TOptions> : OptionsCache<TOptions> where TOptions : class
{
    public override TOptions GetOrAdd(string? name, Func<TOptions> createOptions)
    {
        try
        {
            return base.GetOrAdd(name, createOptions);
        }
        catch
        {
            TryRemove(name);
            throw;
        }
    }
}
