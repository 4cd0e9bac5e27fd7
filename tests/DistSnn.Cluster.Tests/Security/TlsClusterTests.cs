using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using DistSnn.Cluster.Hosting;
using DistSnn.Cluster.Tests.Hosting;

namespace DistSnn.Cluster.Tests.Security;

/// <summary>
/// Nodes with TLS on and the cluster certificate form a cluster; a node speaking plain TCP and a node with another
/// certificate cannot join it. Everything on loopback with free ports; the password never shows in the logs or the
/// actor system's configuration.
/// </summary>
public sealed class TlsClusterTests : IDisposable
{
    private const string Password = "tls-Pass-93c1e7";
    private readonly TestCertificates _certs = new();

    public void Dispose() => _certs.Dispose();

    [Fact]
    public async Task TwoTlsNodesJoinAndNodesWithoutTheCertificateCannot()
    {
        string cluster = _certs.Create("cluster", Password), foreign = _certs.Create("foreign", Password);
        var tls = new TlsOptions { Enabled = true, CertificatePath = cluster, Password = Password };
        int seed = InProcessCluster.FreePort();
        // Everything at DEBUG, and the configuration dumped at start, into a logger the test reads.
        string logging = $"akka.loglevel = DEBUG\nakka.log-config-on-start = on\nakka.loggers = [\"{typeof(CapturingLogger).AssemblyQualifiedName}\"]";

        await using var nodes = new InProcessCluster();
        await nodes.AddNodeAsync(new NodeOptions { Port = seed, SeedNodes = [$"127.0.0.1:{seed}"], Shards = 10, Tls = tls }, logging);
        await nodes.AddNodeAsync(new NodeOptions { Port = InProcessCluster.FreePort(), SeedNodes = [$"127.0.0.1:{seed}"], Shards = 10, Tls = tls }, logging);
        await nodes.WaitForUpAsync(2, TimeSpan.FromSeconds(30));
        Assert.Equal("akka.ssl.tcp", Akka.Cluster.Cluster.Get(nodes.System(0)).SelfAddress.Protocol);

        // Intruders: plain TCP at the TLS port, and TLS with a certificate of its own.
        await nodes.AddRefusedNodeAsync(new NodeOptions { Port = InProcessCluster.FreePort(), SeedNodes = [$"127.0.0.1:{seed}"], Shards = 10 });
        await nodes.AddRefusedNodeAsync(new NodeOptions
        {
            Port = InProcessCluster.FreePort(), SeedNodes = [$"127.0.0.1:{seed}"], Shards = 10,
            Tls = tls with { CertificatePath = foreign },
        });
        var until = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < until)
        {
            Assert.Equal(2, Akka.Cluster.Cluster.Get(nodes.System(0)).State.Members.Count);
            Assert.Equal(0, nodes.UpMembers(2));
            Assert.Equal(0, nodes.UpMembers(3));
            await Task.Delay(250);
        }
        Assert.Equal(2, nodes.UpMembers(0));
        Assert.Equal(2, nodes.UpMembers(1));

        Assert.DoesNotContain(Password, nodes.System(0).Settings.Config.ToString(true));
        var lines = CapturingLogger.Lines.ToArray();
        Assert.Contains(lines, l => l.Contains("Welcome from", StringComparison.Ordinal) || l.Contains("is JOINING", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("enable-ssl", StringComparison.Ordinal)); // the configuration dump is in
        Assert.DoesNotContain(lines, l => l.Contains(Password, StringComparison.Ordinal));
    }
}

/// <summary>An Akka logger that keeps every log line of the systems configured with it.</summary>
public sealed class CapturingLogger : ReceiveActor
{
    /// <summary>Every line logged so far.</summary>
    public static readonly ConcurrentQueue<string> Lines = new();

    /// <summary>Starts the logger.</summary>
    public CapturingLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Lines.Enqueue(e.ToString()));
    }
}
