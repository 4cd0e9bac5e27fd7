using DistSnn.Bench.Scaling;
using DistSnn.Cluster.Serialization;
using DistSnn.Model;

namespace DistSnn.Bench.Tests;

public class ScalingModelTests
{
    private static readonly ComponentConstants K = new()
    {
        NeuronNs = new Dictionary<string, double> { ["lif_delta"] = 1, ["lif_exp_current"] = 2 },
        PoissonNs = 5,
        EventNs = 3,
        EventSpreadNs = 10,
        SpikeNs = 100,
        ReceivedSpikeNs = 50,
        EpochNs = 1000,
        LocalPacketNs = 2000,
        ActorLocalPacketNs = 4000,
        SerializePacketNs = 500,
        SerializeSpikeNs = 4,
        RemotePacketUs = 10,
        OneWayUs = 70,
        LockstepUs = 80,
        WireBytesPerPacket = 150,
    };

    private static Workload Brunel(double neurons, int lag = 2) => new("brunel", neurons, "lif_delta", true, 1250, 40, false, 15, lag);

    [Fact]
    public void Reach_is_the_chance_that_one_of_the_draws_hits_a_given_bin()
    {
        Assert.Equal(1, ScalingModel.Reach(5, 1));
        Assert.Equal(0.25, ScalingModel.Reach(1, 4), 12);
        Assert.Equal(1 - Math.Pow(0.75, 3), ScalingModel.Reach(3, 4), 12);
        Assert.True(ScalingModel.Reach(1250, 2) > 1 - 1e-12);
    }

    [Fact]
    public void One_partition_costs_its_compute_only()
    {
        var w = Brunel(10_000);
        var cost = ScalingModel.Epoch(w, new ClusterShape(1, 1, 10, 25), K);
        double spikes = 10_000 * 40 * 7 * 1e-4;
        double expected = 1e-9 * (7 * 10_000 * (1 + 5) + spikes * 1250 * 3 + spikes * (100 + 50) + 1000);
        Assert.Equal(expected, cost.Compute, 12);
        Assert.Equal(0, cost.PacketCpu);
        Assert.Equal(0, cost.Transit);
        Assert.Equal(0, cost.Imbalance);
        Assert.Equal(expected, cost.Total, 12);
        Assert.Equal(7, w.EpochSteps);
        Assert.Equal(1000 / 0.7, w.EpochsPerSecond, 9);
    }

    [Fact]
    public void Partitions_in_one_process_pay_local_packets_and_no_transit()
    {
        var cost = ScalingModel.Epoch(Brunel(12_500), new ClusterShape(1, 2, 10, 25, Actors: false), K);
        Assert.Equal(2e-6, cost.PacketCpu, 12);
        Assert.Equal(4e-6, ScalingModel.Epoch(Brunel(12_500), new ClusterShape(1, 2, 10, 25), K).PacketCpu, 12);
        Assert.Equal(0, cost.Transit);
        Assert.Equal(0, cost.RemotePacketsPerNode);
    }

    [Fact]
    public void The_lag_hides_transit_up_to_the_work_of_the_epochs_in_between()
    {
        var shape = new ClusterShape(2, 1, 0, double.PositiveInfinity);
        var one = ScalingModel.Epoch(Brunel(12_500, lag: 1), shape, K);
        Assert.Equal(80e-6 + 0, one.Transit, 12);
        Assert.Equal(one.Transit, one.ExposedTransit, 12);
        // Lag 2 on a network of 12,500 neurons: an epoch's work (about 0.5 ms) is far above the 80 µs in transit.
        var two = ScalingModel.Epoch(Brunel(12_500, lag: 2), shape, K);
        Assert.True(two.Compute + two.PacketCpu > two.Transit);
        Assert.Equal(0, two.ExposedTransit);
        // A tiny network cannot hide it: the epoch lasts the transit.
        var tiny = ScalingModel.Epoch(Brunel(10, lag: 2), shape, K);
        Assert.Equal(tiny.Transit, tiny.Compute + tiny.PacketCpu + tiny.ExposedTransit, 12);
        // With lag 3 two epochs lie between sending and need: each must last half the transit.
        var three = ScalingModel.Epoch(Brunel(10, lag: 3) with { MinDelaySteps = 21 }, shape, K);
        Assert.Equal(three.Transit / 2, three.Compute + three.PacketCpu + three.ExposedTransit, 12);
    }

    [Fact]
    public void Packets_per_node_follow_the_exchange_scheme()
    {
        var w = Brunel(100_000.0 * 100);
        var pairs = ScalingModel.Epoch(w, new ClusterShape(100, 16, 10, 25), K);
        var nodes = ScalingModel.Epoch(w, new ClusterShape(100, 16, 10, 25, ExchangeScheme.NodePairs), K);
        var hier = ScalingModel.Epoch(w, new ClusterShape(100, 16, 10, 25, ExchangeScheme.Hierarchical), K);
        // Dense connectivity: every partition on another node is an out-neighbour.
        Assert.Equal(16 * (1600 - 16), pairs.RemotePacketsPerNode, 6);
        Assert.Equal(99, nodes.RemotePacketsPerNode, 6);
        Assert.Equal(2 * (10 - 1), hier.RemotePacketsPerNode, 6);
        Assert.True(nodes.PacketCpu < pairs.PacketCpu);
        Assert.Equal(2 * (80e-6 + 10e-6), hier.Transit - hier.BytesPerNode / (25e9 / 8), 9);
    }

    [Fact]
    public void Imbalance_is_the_expected_excess_of_the_busiest_partition()
    {
        var w = Brunel(1_000_000);
        var a = ScalingModel.Epoch(w, new ClusterShape(10, 16, 10, 25), K);
        var b = ScalingModel.Epoch(w, new ClusterShape(100, 16, 10, 25), K);
        double Events(int partitions) => w.SpikesPerEpoch * 1250 / partitions;
        // The expected maximum of Poisson event counts over the partitions: σ = √mean, times √(2 ln Q).
        Assert.Equal(3e-9 * Math.Sqrt(Events(160)) * Math.Sqrt(2 * Math.Log(160)), a.Imbalance, 12);
        Assert.Equal(3e-9 * Math.Sqrt(Events(1600)) * Math.Sqrt(2 * Math.Log(1600)), b.Imbalance, 12);
        Assert.True(b.Imbalance / Events(1600) > a.Imbalance / Events(160));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(10_000)]
    public void Spike_bytes_match_the_codec(int spikes)
    {
        var packet = WireBench.Packet(spikes, seed: spikes);
        long header = DistSnnSerializer.EncodedLength(packet.Job, packet.Epoch, packet.Source, [], []);
        long encoded = DistSnnSerializer.EncodedLength(packet) - header;
        double model = ScalingModel.SpikeBytes(spikes, 6250, 7, 12_500);
        Assert.InRange(model, 0.85 * encoded - 4, 1.15 * encoded + 4);
    }

    [Fact]
    public void Fits_recover_known_lines_and_planes()
    {
        var (a, b) = Fit.Line([1, 2, 3, 4], [5, 7, 9, 11]);
        Assert.Equal(3, a, 12);
        Assert.Equal(2, b, 12);
        var c = Fit.Linear([[1, 1, 1e3], [1, 2, 3e5], [1, 3, 2e4], [1, 5, 7e6]], [4 + 7 + 0.5e3, 4 + 14 + 1.5e5, 4 + 21 + 1e4, 4 + 35 + 3.5e6]);
        Assert.Equal(4, c[0], 6);
        Assert.Equal(7, c[1], 6);
        Assert.Equal(0.5, c[2], 9);
    }

    [Fact]
    public void Constants_are_fitted_from_the_component_runs()
    {
        // Synthetic medians made from known costs: the fit must give them back.
        var rows = new List<ComponentBench.EngineRow>();
        foreach (var (model, ns) in new[] { ("lif_delta", 0.5), ("lif_exp_current", 1.5) })
            foreach (int n in new[] { 20_000, 100_000, 400_000 })
                rows.Add(new($"neurons-{model}-{n}", 1, 5000, 715, n, 0, 0, 5000 * (3000 + n * ns) * 1e-9));
        foreach (int n in new[] { 20_000, 100_000, 400_000 })
            rows.Add(new($"poisson-{n}", 1, 5000, 715, n, 0, 0, 5000 * (3000 + n * (0.5 + 4)) * 1e-9));
        foreach (var (kind, ns) in new[] { ("constant", 3.0), ("spread", 12.0) })
            foreach (var (k, current) in ComponentBench.EventRuns)
            {
                double spikes = current == 0 ? 0 : 1000 * current + k, events = spikes * k;
                rows.Add(new(ComponentBench.EventRunName(kind == "spread", k, current), 1, 5000, 715, 20_002, spikes, events,
                    0.2 + (current == 0 ? 0 : 0.05 + 1e-9 * (spikes * 200 + (k > 0 ? spikes * 300 : 0) + events * ns))));
            }
        rows.Add(new("epochs-1", 1, 100_000, 100_000, 2, 0, 0, 0.3));
        rows.Add(new("epochs-2", 2, 100_000, 100_000, 2, 0, 0, 0.8));
        rows.Add(new("epochs-2-akka", 2, 100_000, 100_000, 2, 0, 0, 1.3));
        var serialize = new[] { 0, 10, 100 }.Select(n => new WireBench.SerializeRow(n, 300 + 2 * n, 500 + 3 * n, 18 + 2 * n, 0)).ToList();
        var trips = new List<WireBench.RoundTripRow> { new(0, 160, 150, 200), new(100, 170, 160, 210) };
        var streams = new List<WireBench.StreamRow> { new(0, 1000, 15, 12, 170), new(100, 1000, 20, 18, 400) };
        var k2 = ComponentBench.FitConstants(rows, serialize, trips, streams, new WireBench.LockstepRow(1000, 95, 60, 1, 190));
        Assert.Equal(0.5, k2.NeuronNs["lif_delta"], 9);
        Assert.Equal(1.5, k2.NeuronNs["lif_exp_current"], 9);
        Assert.Equal(4, k2.PoissonNs, 9);
        Assert.Equal(3, k2.EventNs, 6);
        Assert.Equal(12, k2.EventSpreadNs, 6);
        Assert.Equal(200, k2.SpikeNs, 3);
        Assert.Equal(300, k2.ReceivedSpikeNs, 3);
        Assert.Equal(0.05, k2.FiringConstantSeconds, 9);
        Assert.Equal(3000, k2.EpochNs, 6);
        Assert.Equal(5000, k2.LocalPacketNs, 6);
        Assert.Equal(10_000, k2.ActorLocalPacketNs, 6);
        Assert.Equal(95, k2.LockstepUs);
        Assert.Equal(800, k2.SerializePacketNs, 9);
        Assert.Equal(5, k2.SerializeSpikeNs, 9);
        Assert.Equal(12, k2.RemotePacketUs);
        Assert.Equal(80, k2.OneWayUs);
        Assert.Equal(170, k2.WireBytesPerPacket);
    }

    [Fact]
    public void Generated_component_networks_load_with_the_intended_epochs()
    {
        static NetworkSpec Load(string yaml) => ModelLoader.LoadBytes(System.Text.Encoding.UTF8.GetBytes(yaml), "component.yaml");
        Assert.Equal(7, Load(ComponentBench.Neurons("lif_delta", 100, poisson: false)).EpochSteps());
        Assert.Equal(7, Load(ComponentBench.Neurons("lif_exp_current", 100, poisson: true)).EpochSteps());
        Assert.Equal(7, Load(ComponentBench.Events(100, 10, 300, spread: false)).EpochSteps());
        Assert.Equal(1, Load(ComponentBench.Events(100, 10, 300, spread: true)).EpochSteps());
        Assert.Equal(1, Load(ComponentBench.Epochs()).EpochSteps());
        Assert.Single(Load(ComponentBench.Neurons("lif_delta", 100, poisson: true)).PoissonInputs);
    }
}
