using Akka.Actor;

namespace DistSnn.Cluster.Hosting;

/// <summary>The largest message a node's remoting sends in one frame; a larger one is dropped by the transport.</summary>
public static class RemotingFrame
{
    /// <summary>The frame size of <paramref name="system"/> in bytes (Akka's default when remoting is not configured).</summary>
    public static long Bytes(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var config = system.Settings.Config;
        const string key = "akka.remote.dot-netty.tcp.maximum-frame-size";
        return config.HasPath(key) ? config.GetByteSize(key) ?? 128_000 : 128_000;
    }
}
