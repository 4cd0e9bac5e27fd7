using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace DistSnn.Cluster.Hosting;

/// <summary>
/// Loads the remoting certificate named by <see cref="TlsOptions"/> and decides which peer certificates to accept.
/// Errors name the setting and the file, never the password. The password stays out of the actor system's HOCON
/// (the certificate is handed over as an object), so dumping the configuration cannot reveal it either.
/// </summary>
public sealed class NodeTls
{
    private const string Section = "DistSnn:Node:Tls";
    private readonly HashSet<string> _trusted;

    private NodeTls(X509Certificate2 certificate, HashSet<string> trusted, bool suppressValidation)
    {
        Certificate = certificate;
        _trusted = trusted;
        SuppressValidation = suppressValidation;
    }

    /// <summary>This node's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>SHA-256 fingerprint of <see cref="Certificate"/> (upper-case hex), as printed at startup.</summary>
    public string Fingerprint => Sha256(Certificate);

    /// <summary>Whether every peer certificate is accepted (testing only).</summary>
    public bool SuppressValidation { get; }

    /// <summary>Loads the certificate; throws <see cref="ArgumentException"/> naming the setting and file on any fault.</summary>
    public static NodeTls Load(TlsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
            throw new ArgumentException($"{Section}:CertificatePath: required when TLS is enabled (a PKCS#12/PFX file with the private key)");
        string path = options.CertificatePath;
        var (password, source) = ReadPassword(options);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{Section}:CertificatePath: cannot read '{path}': {e.Message}", e);
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(bytes, password, X509KeyStorageFlags.Exportable);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"{Section}:CertificatePath: '{path}' is not a PKCS#12 (PFX) file that opens with the password from {source} ({e.Message})", e);
        }
        if (!certificate.HasPrivateKey)
            throw new ArgumentException($"{Section}:CertificatePath: '{path}' holds no private key; export the certificate with its key");
        var now = DateTime.Now;
        if (now < certificate.NotBefore || now > certificate.NotAfter)
            throw new ArgumentException($"{Section}:CertificatePath: the certificate in '{path}' is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u}, not now");
        var trusted = new HashSet<string>(StringComparer.Ordinal) { Sha256(certificate) };
        for (int i = 0; i < options.TrustedThumbprints.Count; i++)
        {
            string hex = options.TrustedThumbprints[i].Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
            if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
                throw new ArgumentException($"{Section}:TrustedThumbprints:{i}: '{options.TrustedThumbprints[i]}' is not a SHA-256 fingerprint (64 hex digits)");
            trusted.Add(hex);
        }
        return new NodeTls(certificate, trusted, options.SuppressValidation);
    }

    /// <summary>Whether a peer presenting <paramref name="peer"/> may talk to this node.</summary>
    public bool Accepts(X509Certificate2? peer) => SuppressValidation || (peer is not null && _trusted.Contains(Sha256(peer)));

    /// <summary>
    /// The check Akka runs on both ends of every TLS handshake (mutual authentication): pinning to the cluster's
    /// certificates rather than a public CA chain, so a certificate that some CA signed for someone else is refused.
    /// </summary>
    public CertificateValidationCallback Validator() => (peer, _, remote, _, log) =>
    {
        if (Accepts(peer)) return true;
        log.Warning("TLS: refused peer {0}: its certificate {1} is not this cluster's", remote,
            peer is null ? "(none)" : $"{peer.Subject} SHA-256 {Sha256(peer)}");
        return false;
    };

    /// <summary>Upper-case hex SHA-256 of a certificate's DER encoding.</summary>
    public static string Sha256(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256).ToUpperInvariant();

    private static (string? Password, string Source) ReadPassword(TlsOptions options)
    {
        if (options.PasswordFile is { Length: > 0 } file)
        {
            if (options.Password is not null)
                throw new ArgumentException($"{Section}: set Password or PasswordFile, not both");
            try
            {
                return (File.ReadAllText(file).TrimEnd('\r', '\n'), $"{Section}:PasswordFile ('{file}')");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"{Section}:PasswordFile: cannot read '{file}': {e.Message}", e);
            }
        }
        return options.Password is not null ? (options.Password, $"{Section}:Password") : (null, "no password (none set)");
    }
}
