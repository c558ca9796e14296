extern alias edge;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Byoc.Edge.Tests.Admin;

/// <summary>
/// Entra ID bearer tokens for the admin API, signed with a test key the Edge test host trusts (see <see cref="Settings"/>
/// and <see cref="TrustTestIssuer"/>, which <c>EdgeFactory</c> applies to every Edge it hosts): no call reaches Entra.
/// </summary>
/// <example><code>
/// using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/api/audit");
/// request.Headers.Authorization = new("Bearer", AdminTokens.Bearer(AdminTokens.Viewer, TestData.TenantA));
/// </code></example>
public static class AdminTokens
{
    public const string Admin = "Byoc.Admin";
    public const string Viewer = "Byoc.Viewer";

    public const string Issuer = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0";
    public const string Audience = "api://byoc-edge-tests";
    public const string ClientId = "00000000-0000-0000-0000-0000000b10c0";

    private static readonly SymmetricSecurityKey Key = new(RandomNumberGenerator.GetBytes(32)) { KeyId = "admin-tests" };

    /// <summary>The AzureAd settings that switch the Edge's Entra bearer on.</summary>
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["AzureAd:Instance"] = "https://login.microsoftonline.com/",
        ["AzureAd:TenantId"] = "11111111-2222-3333-4444-555555555555",
        ["AzureAd:ClientId"] = ClientId,
        ["AzureAd:Audience"] = Audience,
    };

    /// <summary>
    /// A bearer of an Entra user with <paramref name="role"/> (an app role: <see cref="Admin"/>, <see cref="Viewer"/>,
    /// or anything else to test refusals) scoped to <paramref name="tenantIds"/> (none: every tenant).
    /// </summary>
    public static string Bearer(string role, params string[] tenantIds) => Create(role, tenantIds, $"{role} user", TimeSpan.FromMinutes(10));

    /// <summary>As <see cref="Bearer"/>, with a chosen user name and lifetime (negative: already expired).</summary>
    public static string Create(string? role, string[] tenantIds, string name, TimeSpan lifetime, SecurityKey? key = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["name"] = name,
            ["preferred_username"] = name.Replace(' ', '.') + "@example.com",
            ["oid"] = Guid.NewGuid().ToString(),
            ["tid"] = "11111111-2222-3333-4444-555555555555",
            ["ver"] = "2.0",
        };
        if (role is not null)
        {
            claims["roles"] = new[] { role };
        }

        if (tenantIds.Length > 0)
        {
            claims["byoc_tenant"] = tenantIds;
        }

        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            NotBefore = now.AddMinutes(-5) < now.Add(lifetime) ? now.AddMinutes(-5) : now.Add(lifetime).AddMinutes(-1),
            IssuedAt = now.AddMinutes(-5),
            Expires = now.Add(lifetime),
            SigningCredentials = new SigningCredentials(key ?? Key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Points the Edge's Entra JwtBearer scheme at the test issuer and key instead of Entra's metadata.</summary>
    public static void TrustTestIssuer(IServiceCollection services) =>
        services.PostConfigure<JwtBearerOptions>(edge::Byoc.Edge.Admin.AdminEntra.JwtScheme, o =>
        {
            o.Authority = null;
            o.MetadataAddress = null!;
            o.ConfigurationManager = null;
            o.Configuration = new Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration { Issuer = Issuer };
            var parameters = o.TokenValidationParameters;
            parameters.IssuerValidator = null;
            parameters.AudienceValidator = null;
            parameters.IssuerSigningKeyValidatorUsingConfiguration = null;
            parameters.ValidIssuer = Issuer;
            parameters.ValidAudience = Audience;
            parameters.IssuerSigningKey = Key;
            parameters.ClockSkew = TimeSpan.Zero;
        });
}
