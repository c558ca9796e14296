using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Byoc.ServiceDefaults;

/// <summary>
/// The Data Protection key ring lives in Redis beside the data it protects; its keys are encrypted there with a
/// certificate from configuration (<c>Byoc:DataProtection:Certificate:Path</c> to a PFX file, or
/// <c>:Base64</c> with the PFX itself, and <c>:Password</c> if it has one), so a dump of Redis alone decrypts
/// nothing. Without a certificate a service outside Development refuses to start; Development runs with the key
/// ring in clear and logs it.
/// </summary>
public static partial class KeyRingProtection
{
    public const string Section = "Byoc:DataProtection:Certificate";

    public static IDataProtectionBuilder ProtectKeysWithConfiguredCertificate(this IDataProtectionBuilder dataProtection, IConfiguration configuration, IHostEnvironment environment)
    {
        if (Load(configuration.GetSection(Section)) is { } certificate)
        {
            return dataProtection.ProtectKeysWithCertificate(certificate);
        }

        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"The Data Protection key ring must be encrypted: set {Section}:Path (a PFX file) or {Section}:Base64 (the PFX), and {Section}:Password if it has one. Only Development may run without.");
        }

        dataProtection.Services.AddHostedService<UnprotectedKeyRingWarning>();
        return dataProtection;
    }

    private static X509Certificate2? Load(IConfigurationSection section)
    {
        var password = section["Password"] is { Length: > 0 } p ? p : null;
        var certificate = section["Path"] is { Length: > 0 } path
            ? X509CertificateLoader.LoadPkcs12FromFile(path, password)
            : section["Base64"] is { Length: > 0 } base64
                ? X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(base64), password)
                : null;
        if (certificate is { HasPrivateKey: false })
        {
            throw new InvalidOperationException($"{Section}: the certificate has no private key; the key ring could not be read back.");
        }

        return certificate;
    }

    private sealed partial class UnprotectedKeyRingWarning(ILogger<UnprotectedKeyRingWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogUnprotected(logger, Section);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "The Data Protection key ring is kept in clear (allowed in Development only): {Section} is not set")]
        private static partial void LogUnprotected(ILogger logger, string section);
    }
}
