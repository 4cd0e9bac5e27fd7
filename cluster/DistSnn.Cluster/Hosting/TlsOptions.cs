using System.Text;

namespace DistSnn.Cluster.Hosting;

/// <summary>
/// TLS for the remoting between nodes (section <c>DistSnn:Node:Tls</c>). Every node presents the certificate in
/// <see cref="CertificatePath"/> and accepts a peer only if the peer presents the same certificate (or one listed in
/// <see cref="TrustedThumbprints"/>): the certificate is the cluster's shared secret, mounted from a file or a
/// Kubernetes Secret. A node without it cannot join, and plain-TCP nodes cannot talk to TLS nodes.
/// </summary>
public sealed record TlsOptions
{
    /// <summary>Switches TLS on. Off by default so that a single machine works without a certificate.</summary>
    public bool Enabled { get; init; }

    /// <summary>PKCS#12 (PFX) file holding the node certificate and its private key.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>
    /// Password of the PFX file, typically from the environment (<c>DistSnn__Node__Tls__Password</c>). Never logged;
    /// prefer <see cref="PasswordFile"/>.
    /// </summary>
    public string? Password { get; init; }

    /// <summary>File whose content (a trailing line break ignored) is the PFX password, e.g. a mounted Secret.</summary>
    public string? PasswordFile { get; init; }

    /// <summary>
    /// SHA-256 fingerprints (hex, colons and spaces ignored) of further peer certificates to accept besides this
    /// node's own, for rotating the certificate node by node.
    /// </summary>
    public IReadOnlyList<string> TrustedThumbprints { get; init; } = [];

    /// <summary>Accept any peer certificate (testing only: anyone with a certificate can then join).</summary>
    public bool SuppressValidation { get; init; }

    // The generated ToString would print the password: anything that logs the options must not leak it.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Enabled = ").Append(Enabled)
            .Append(", CertificatePath = ").Append(CertificatePath)
            .Append(", Password = ").Append(Password is null ? "null" : "***")
            .Append(", PasswordFile = ").Append(PasswordFile)
            .Append(", TrustedThumbprints = [").Append(string.Join(", ", TrustedThumbprints)).Append(']')
            .Append(", SuppressValidation = ").Append(SuppressValidation);
        return true;
    }
}
