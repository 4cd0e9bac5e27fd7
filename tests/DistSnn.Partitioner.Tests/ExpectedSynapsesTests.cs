using DistSnn.Model;

namespace DistSnn.Partitioner.Tests;

/// <summary>Expected synapses between blocks of neurons: exact for listed, all-to-all and one-to-one connectors, expectations otherwise.</summary>
public class ExpectedSynapsesTests
{
    private static NetworkSpec Spec(Connector connector, bool samePopulation = false)
    {
        var b = new NetworkBuilder("blocks").WithDuration(10);
        var a = b.Population("a", 10, new LifDelta());
        var c = b.Population("c", 6, new LifDelta());
        b.Connect(a, samePopulation ? a : c, connector, weight: 1, delay: 1);
        return b.Build();
    }

    [Fact]
    public void All_to_all_one_to_one_and_fixed_probability_between_blocks()
    {
        int[] a = [0, 4, 10], c = [0, 3, 6];
        Assert.Equal(new double[,] { { 12, 12 }, { 18, 18 } }, ExpectedSynapses.Between(Spec(new AllToAll()), 0, a, c));
        Assert.Equal(new double[,] { { 3, 1 }, { 0, 6 } }, ExpectedSynapses.Between(Spec(new OneToOne(), samePopulation: true), 0, a, [0, 3, 10]));
        var p = ExpectedSynapses.Between(Spec(new FixedProbability(0.5)), 0, a, c);
        Assert.Equal(6.0, p[0, 0], 9);
        Assert.Equal(9.0, p[1, 1], 9);
        // Within one population without self-connections the diagonal is left out: 4 × 4 − 4 pairs at p = 0.5.
        var self = ExpectedSynapses.Between(Spec(new FixedProbability(0.5) { AllowSelfConnections = false }, samePopulation: true), 0, a, a);
        Assert.Equal(6.0, self[0, 0], 9);
        Assert.Equal(12.0, self[0, 1], 9);
    }

    [Fact]
    public void Listed_synapses_are_counted_exactly_and_cuts_must_cover_the_populations()
    {
        var list = new FromList([new ListedSynapse(0, 0), new ListedSynapse(9, 5), new ListedSynapse(9, 4), new ListedSynapse(3, 2)]);
        Assert.Equal(new double[,] { { 2, 0 }, { 0, 2 } }, ExpectedSynapses.Between(Spec(list), 0, [0, 4, 10], [0, 3, 6]));
        Assert.Throws<ArgumentException>(() => ExpectedSynapses.Between(Spec(list), 0, [0, 4, 9], [0, 3, 6]));
    }
}
