using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Byoc.Edge.Extensions;

/// <summary>
/// Whose X-Forwarded-For / X-Forwarded-Proto the Edge believes: only the proxies in
/// <c>Byoc:ForwardedHeaders:KnownNetworks</c> (CIDR) and <c>Byoc:ForwardedHeaders:KnownProxies</c> (addresses),
/// loopback when none is configured. ASP.NET Core's <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c> trusts every sender,
/// which would let anyone choose the address the token limiter and the settings page's rate limit key on; this
/// replaces its lists (post-configured, so it wins) and applies the headers itself.
/// </summary>
public static class TrustedProxies
{
    public const string Section = "Byoc:ForwardedHeaders";

    public static WebApplicationBuilder AddTrustedProxies(this WebApplicationBuilder builder)
    {
        var networks = builder.Configuration.GetSection($"{Section}:KnownNetworks").Get<string[]>() ?? [];
        var proxies = builder.Configuration.GetSection($"{Section}:KnownProxies").Get<string[]>() ?? [];
        var parsedNetworks = networks.Select(n => System.Net.IPNetwork.TryParse(n, out var network)
            ? network : throw new InvalidOperationException($"{Section}:KnownNetworks: '{n}' is not a CIDR network")).ToList();
        var parsedProxies = proxies.Select(p => IPAddress.TryParse(p, out var address)
            ? address : throw new InvalidOperationException($"{Section}:KnownProxies: '{p}' is not an IP address")).ToList();

        builder.Services.PostConfigure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
            if (parsedNetworks.Count == 0 && parsedProxies.Count == 0)
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse("127.0.0.0/8"));
                o.KnownProxies.Add(IPAddress.IPv6Loopback);
                return;
            }

            parsedNetworks.ForEach(o.KnownIPNetworks.Add);
            parsedProxies.ForEach(o.KnownProxies.Add);
        });
        return builder;
    }
}
