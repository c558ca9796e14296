using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Byoc.Testing;

/// <summary>A self-signed certificate for the services' Data Protection key rings, as a deployment gives one.</summary>
public static class KeyRingCertificate
{
    private static readonly Lazy<string> Pfx = new(() =>
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Byoc test key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return Convert.ToBase64String(certificate.Export(X509ContentType.Pfx));
    });

    /// <summary>The PFX, base64: <c>Byoc:DataProtection:Certificate:Base64</c>.</summary>
    public static string Base64 => Pfx.Value;

    public const string Setting = "Byoc:DataProtection:Certificate:Base64";
}
