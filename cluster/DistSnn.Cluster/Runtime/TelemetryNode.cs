using Akka.Actor;

namespace DistSnn.Cluster.Runtime;

/// <summary>The value of the <c>node</c> telemetry tag for an actor system.</summary>
public static class TelemetryNode
{
    /// <summary>
    /// <c>host:port</c> of the system's remoting address (one series per node), or <c>local</c> for an actor system
    /// without remoting (the embedded runner).
    /// </summary>
    public static string Of(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        return address.Host is null ? "local" : $"{address.Host}:{address.Port}";
    }
}
