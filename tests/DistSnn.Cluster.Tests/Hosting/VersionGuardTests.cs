using Akka.Cluster;

namespace DistSnn.Cluster.Tests.Hosting;

/// <summary>A node of another DistSnn version is refused by the cluster.</summary>
public class VersionGuardTests
{
    [Fact]
    public async Task ANodeWithAnotherVersionIsDownedAndNeverStaysUp()
    {
        await using var cluster = new InProcessCluster();
        int seed = InProcessCluster.FreePort();
        await cluster.AddNodeAsync(seed, seed, "1.0.0");
        await cluster.WaitForUpAsync(1, TimeSpan.FromSeconds(20));
        // The leader may down the stranger before its host has started every actor; AddRefusedNodeAsync allows for that.
        var stranger = await cluster.AddRefusedNodeAsync(InProcessCluster.NodeOptionsFor(InProcessCluster.FreePort(), seed, "9.9.9"));
        var removed = new TaskCompletionSource();
        Akka.Cluster.Cluster.Get(stranger).RegisterOnMemberRemoved(() => removed.TrySetResult());
        var finished = await Task.WhenAny(removed.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == removed.Task, "the node of version 9.9.9 was not removed within 30 s");
        var members = Akka.Cluster.Cluster.Get(cluster.System(0)).State.Members;
        Assert.DoesNotContain(members, m => m.AppVersion.ToString() == "9.9.9" && m.Status == MemberStatus.Up);
    }
}
