using System.Security.Cryptography.X509Certificates;
using DistSnn.Cluster.Hosting;

namespace DistSnn.Cluster.Tests.Security;

/// <summary>Loading the remoting certificate and choosing peers, without a cluster.</summary>
public sealed class NodeTlsTests : IDisposable
{
    private const string Password = "pfx-Secret-4711";
    private readonly TestCertificates _certs = new();

    public void Dispose() => _certs.Dispose();

    [Fact]
    public void LoadsTheCertificateAndAcceptsOnlyItself()
    {
        string path = _certs.Create("a", Password);
        var tls = NodeTls.Load(new TlsOptions { Enabled = true, CertificatePath = path, Password = Password });
        Assert.True(tls.Certificate.HasPrivateKey);
        Assert.Equal("CN=distsnn-test", tls.Certificate.Subject);
        Assert.Equal(64, tls.Fingerprint.Length);

        using var same = X509CertificateLoader.LoadPkcs12FromFile(path, Password);
        using var other = X509CertificateLoader.LoadPkcs12FromFile(_certs.Create("b", Password), Password);
        Assert.True(tls.Accepts(same));
        Assert.False(tls.Accepts(other));
        Assert.False(tls.Accepts(null));

        // Rotation: a listed fingerprint is accepted too (any case, with colons).
        string otherPrint = string.Join(':', NodeTls.Sha256(other).Chunk(2).Select(c => new string(c))).ToLowerInvariant();
        var rotating = NodeTls.Load(new TlsOptions { Enabled = true, CertificatePath = path, Password = Password, TrustedThumbprints = [otherPrint] });
        Assert.True(rotating.Accepts(other));

        var suppressed = NodeTls.Load(new TlsOptions { Enabled = true, CertificatePath = path, Password = Password, SuppressValidation = true });
        Assert.True(suppressed.Accepts(other));
    }

    [Fact]
    public void PasswordComesFromAFileWithoutItsLineBreak()
    {
        string path = _certs.Create("a", Password);
        string file = Path.Combine(_certs.Directory, "password");
        File.WriteAllText(file, Password + "\n");
        var tls = NodeTls.Load(new TlsOptions { Enabled = true, CertificatePath = path, PasswordFile = file });
        Assert.True(tls.Certificate.HasPrivateKey);
    }

    [Fact]
    public void FaultsNameTheSettingAndFileButNeverThePassword()
    {
        string path = _certs.Create("a", Password);
        string missing = Path.Combine(_certs.Directory, "missing.pfx");

        var e = Assert.Throws<ArgumentException>(() => NodeTls.Load(new TlsOptions { Enabled = true }));
        Assert.StartsWith("DistSnn:Node:Tls:CertificatePath: required", e.Message);

        e = Assert.Throws<ArgumentException>(() => NodeTls.Load(new TlsOptions { Enabled = true, CertificatePath = missing, Password = Password }));
        Assert.Contains("DistSnn:Node:Tls:CertificatePath: cannot read", e.Message);
        Assert.Contains(missing, e.Message);

        e = Assert.Throws<ArgumentException>(() => NodeTls.Load(new TlsOptions { Enabled = true, CertificatePath = path, Password = "wrong-" + Password }));
        Assert.Contains($"'{path}' is not a PKCS#12 (PFX) file that opens with the password from DistSnn:Node:Tls:Password", e.Message);
        Assert.DoesNotContain(Password, e.Message);

        string passwordFile = Path.Combine(_certs.Directory, "pw");
        File.WriteAllText(passwordFile, "not-it-" + Password);
        e = Assert.Throws<ArgumentException>(() => NodeTls.Load(new TlsOptions { Enabled = true, CertificatePath = path, PasswordFile = passwordFile }));
        Assert.Contains($"password from DistSnn:Node:Tls:PasswordFile ('{passwordFile}')", e.Message);
        Assert.DoesNotContain(Password, e.Message);

        e = Assert.Throws<ArgumentException>(() => NodeTls.Load(new TlsOptions { Enabled = true, CertificatePath = path, PasswordFile = missing }));
        Assert.StartsWith($"DistSnn:Node:Tls:PasswordFile: cannot read '{missing}'", e.Message);

        string keyless = _certs.Create("keyless", Password, withKey: false);
        e = Assert.Throws<ArgumentException>(() => NodeTls.Load(new TlsOptions { Enabled = true, CertificatePath = keyless, Password = Password }));
        Assert.Equal($"DistSnn:Node:Tls:CertificatePath: '{keyless}' holds no private key; export the certificate with its key", e.Message);

        e = Assert.Throws<ArgumentException>(() => NodeTls.Load(new TlsOptions { Enabled = true, CertificatePath = path, Password = Password, TrustedThumbprints = ["abc"] }));
        Assert.StartsWith("DistSnn:Node:Tls:TrustedThumbprints:0: 'abc' is not a SHA-256 fingerprint", e.Message);
    }

    [Fact]
    public void OptionsPrintWithoutThePassword()
    {
        var options = new NodeOptions { Tls = new TlsOptions { Enabled = true, CertificatePath = "/c.pfx", Password = Password } };
        string text = options.ToString();
        Assert.Contains("Password = ***", text);
        Assert.Contains("CertificatePath = /c.pfx", text);
        Assert.DoesNotContain(Password, text);
        Assert.Equal("akka.ssl.tcp://distsnn@10.0.0.1:4053", (options with { SeedNodes = ["10.0.0.1:4053"] }).SeedAddresses().Single());
        Assert.Equal("akka.tcp://distsnn@10.0.0.1:4053", new NodeOptions { SeedNodes = ["10.0.0.1:4053"] }.SeedAddresses().Single());
    }
}
