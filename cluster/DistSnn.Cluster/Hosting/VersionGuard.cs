using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace DistSnn.Cluster.Hosting;

/// <summary>
/// Keeps nodes of different DistSnn versions out of one cluster: their partitions would not agree on the wire
/// format or on the numerics. The leader downs a joining node whose app version differs from its own; the joining
/// node, as soon as it sees an up member of another version, downs itself too, so that it shuts its cluster down
/// even when the leader removes it before the gossip that says so reaches it. A node that finds itself up in a
/// cluster of another version leaves. All log a message naming both versions.
/// </summary>
public sealed class VersionGuard : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);

    /// <summary>Creates the guard; it subscribes to member events.</summary>
    public VersionGuard()
    {
        Receive<ClusterEvent.CurrentClusterState>(s =>
        {
            foreach (var m in s.Members) Check(m);
        });
        Receive<ClusterEvent.MemberJoined>(e => Check(e.Member));
        Receive<ClusterEvent.MemberUp>(e => Check(e.Member));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    /// <inheritdoc />
    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.MemberJoined), typeof(ClusterEvent.MemberUp));

    /// <inheritdoc />
    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Check(Member member)
    {
        var self = _cluster.SelfMember;
        if (member.Address == self.Address || member.AppVersion.Equals(self.AppVersion)) return;
        var state = _cluster.State;
        bool selfIsOldest = state.Members.Where(m => m.Status == MemberStatus.Up).All(m => m.Address == self.Address || self.IsOlderThan(m));
        if (state.Leader == self.Address && member.Status == MemberStatus.Joining)
        {
            _log.Error("node {0} runs DistSnn {1} but this cluster runs {2}; it is refused (downed)", member.Address, member.AppVersion, self.AppVersion);
            _cluster.Down(member.Address);
        }
        else if (self.Status is MemberStatus.Joining or MemberStatus.WeaklyUp && member.Status == MemberStatus.Up)
        {
            _log.Error("this node runs DistSnn {0} but the cluster it joins runs {1} (node {2}); it refuses itself (down)", self.AppVersion, member.AppVersion, member.Address);
            _cluster.Down(self.Address);
        }
        else if (!selfIsOldest && member.Status == MemberStatus.Up && self.Status == MemberStatus.Up && member.IsOlderThan(self))
        {
            _log.Error("this node runs DistSnn {0} but the cluster runs {1} (node {2}); leaving", self.AppVersion, member.AppVersion, member.Address);
            _cluster.Leave(self.Address);
        }
    }
}
