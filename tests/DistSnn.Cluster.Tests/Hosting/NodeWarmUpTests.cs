using DistSnn.Cluster.Hosting;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Tests.Runtime;
using DistSnn.Model;

namespace DistSnn.Cluster.Tests.Hosting;

/// <summary>The job a node runs on itself before it reports ready.</summary>
public class NodeWarmUpTests
{
    [Fact]
    public async Task A_node_without_warm_up_is_finished_at_once()
    {
        var warmUp = new NodeWarmUp(enabled: false);
        Assert.True(warmUp.Finished);
        Assert.Equal(TimeSpan.Zero, await warmUp.Completion);
        warmUp.Begin(); // nothing to start
        Assert.True(warmUp.Finished);
    }

    [Fact]
    public async Task The_warm_up_runs_its_job_to_the_end_and_a_second_begin_changes_nothing()
    {
        var warmUp = new NodeWarmUp(enabled: true);
        Assert.False(warmUp.Finished);
        warmUp.Begin();
        warmUp.Begin();
        var took = await warmUp.Completion.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(warmUp.Finished);
        Assert.True(took > TimeSpan.Zero, $"warm-up took {took}");
        // The second round ran on two private nodes over loopback remoting.
        Assert.Null(warmUp.PrivateClusterError);
    }

    [Fact]
    public async Task Passing_every_message_through_the_codec_changes_no_spike()
    {
        // The warm-up runs its job with serialize-messages on: the codec must carry every message of a job intact.
        var spec = ModelLoader.LoadFile(Repo.Example("brunel_stdp.yaml"));
        spec = spec with { Run = spec.Run with { Duration = 30 } };
        var plain = (await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2 })).Summary;
        var coded = (await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2, SerializeMessages = true })).Summary;
        Assert.True(plain.Spikes > 1000, $"{plain.Spikes} spikes");
        Assert.NotNull(plain.WeightsChecksum);
        Assert.Equal(plain.SpikesSha256, coded.SpikesSha256);
        Assert.Equal(plain.WeightsChecksum, coded.WeightsChecksum);
    }
}
