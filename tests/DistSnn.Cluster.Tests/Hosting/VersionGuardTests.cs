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
        try
        {
            await cluster.AddNodeAsync(InProcessCluster.FreePort(), seed, "9.9.9");
        }
        catch (InvalidOperationException)
        {
            // The leader may down the stranger before its host has started every actor: its start then fails
            // because its actor system is shutting down, which is a refusal too. Any other failure is not.
            var terminated = cluster.System(1).WhenTerminated;
            if (await Task.WhenAny(terminated, Task.Delay(TimeSpan.FromSeconds(30))) != terminated) throw;
        }
        var stranger = cluster.System(1);
        var removed = new TaskCompletionSource();
        Akka.Cluster.Cluster.Get(stranger).RegisterOnMemberRemoved(() => removed.TrySetResult());
        var finished = await Task.WhenAny(removed.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == removed.Task, "the node of version 9.9.9 was not removed within 30 s");
        var members = Akka.Cluster.Cluster.Get(cluster.System(0)).State.Members;
        Assert.DoesNotContain(members, m => m.AppVersion.ToString() == "9.9.9" && m.Status == MemberStatus.Up);
    }
}
