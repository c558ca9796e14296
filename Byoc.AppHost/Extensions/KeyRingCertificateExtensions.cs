using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>
/// The certificate the services encrypt their Data Protection key rings with (<c>Byoc:DataProtection:Certificate</c>).
/// In run mode a self-signed one is made once under <c>AppHost:DataPath</c> (beside the Redis data, in a folder only
/// its owner may enter; kept across runs, since the key rings it encrypts are); in publish mode it is two secret
/// parameters the deployment supplies: the PFX in base64 and its password.
/// </summary>
public static class KeyRingCertificateExtensions
{
    public sealed class KeyRingCertificate(string? path, IResourceBuilder<ParameterResource>? pfx, IResourceBuilder<ParameterResource>? password)
    {
        internal string? Path { get; } = path;

        internal IResourceBuilder<ParameterResource>? Pfx { get; } = pfx;

        internal IResourceBuilder<ParameterResource>? Password { get; } = password;
    }

    public static KeyRingCertificate AddKeyRingCertificate(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return new(null, builder.AddParameter("key-ring-certificate", secret: true), builder.AddParameter("key-ring-certificate-password", secret: true));
        }

        var dataPath = builder.Configuration["AppHost:DataPath"] is { Length: > 0 } configured
            ? configured
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "Byoc");
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataPath, "key-ring", "key-ring.pfx"));
        // Written at start, not while the model is built (a model read in a test must write nothing).
        builder.Eventing.Subscribe<BeforeStartEvent>((_, ct) => EnsureAsync(path, ct));
        return new(path, null, null);
    }

    public static IResourceBuilder<ProjectResource> WithKeyRingCertificate(this IResourceBuilder<ProjectResource> project, KeyRingCertificate certificate) =>
        certificate.Path is { } path
            ? project.WithEnvironment("Byoc__DataProtection__Certificate__Path", path)
            : project.WithEnvironment("Byoc__DataProtection__Certificate__Base64", certificate.Pfx!)
                .WithEnvironment("Byoc__DataProtection__Certificate__Password", certificate.Password!);

    private static async Task EnsureAsync(string path, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
        {
            return;
        }

        var directory = System.IO.Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest("CN=Byoc local key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(20));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        // Written beside it and moved into place, so a crash never leaves half a certificate.
        var written = $"{path}.{Guid.NewGuid():N}.tmp";
        await using (var file = new FileStream(written, options))
        {
            await file.WriteAsync(certificate.Export(X509ContentType.Pfx), cancellationToken);
        }

        try
        {
            File.Move(written, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another AppHost on the same data folder made it first.
            File.Delete(written);
        }
    }
}
