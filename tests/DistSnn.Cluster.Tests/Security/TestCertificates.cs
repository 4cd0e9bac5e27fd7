using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DistSnn.Cluster.Tests.Security;

/// <summary>Self-signed certificates written as password-protected PFX files into a temporary folder.</summary>
internal sealed class TestCertificates : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "distsnn-tls-" + Guid.NewGuid().ToString("N"));

    public TestCertificates() => System.IO.Directory.CreateDirectory(Directory);

    /// <summary>Writes a new RSA 2048 certificate with its private key; returns the PFX path.</summary>
    public string Create(string name, string password, string subject = "CN=distsnn-test", bool withKey = true)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client authentication
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        string path = Path.Combine(Directory, name + ".pfx");
        if (withKey) File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        else
        {
            using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert));
            File.WriteAllBytes(path, publicOnly.Export(X509ContentType.Pfx, password));
        }
        return path;
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, true);
    }
}
