using Akka.Actor;
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
        var seedCluster = Akka.Cluster.Cluster.Get(cluster.System(0));
        var strangerCluster = Akka.Cluster.Cluster.Get(stranger);

        // Polled rather than awaited through RegisterOnMemberRemoved: the removal can happen before a callback is
        // registered, and on a busy machine the refused node learns of it only when the seed quarantines it.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        bool outOfSeed = false, strangerStopped = false;
        while (DateTime.UtcNow < deadline)
        {
            var members = seedCluster.State.Members;
            Assert.DoesNotContain(members, m => m.AppVersion.ToString() == "9.9.9" && m.Status == MemberStatus.Up);
            outOfSeed = members.All(m => m.AppVersion.ToString() != "9.9.9");
            strangerStopped = strangerCluster.IsTerminated || stranger.WhenTerminated.IsCompleted;
            if (outOfSeed && strangerStopped) break;
            await Task.Delay(200);
        }
        Assert.True(outOfSeed, "the seed still lists the node of version 9.9.9 after 60 s: "
            + string.Join(", ", seedCluster.State.Members.Select(m => $"{m.Address} {m.AppVersion} {m.Status}")));
        Assert.True(strangerStopped, "the node of version 9.9.9 did not shut its cluster down within 60 s; it sees itself "
            + strangerCluster.SelfMember.Status);
    }
}
