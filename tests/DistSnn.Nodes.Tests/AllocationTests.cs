using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Partitioner;

namespace DistSnn.Nodes.Tests;

/// <summary>The hot path allocates nothing once buffers have reached their working size.</summary>
public class AllocationTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public void SteadyStateEpochsAllocateNothing(double thetaPlus)
    {
        var b = new NetworkBuilder("alloc").WithDt(0.1).WithDuration(400).WithSeed(5);
        var exc = b.Population("exc", 400, new LifDelta { TauM = 20, EL = 0, VTh = 20, VReset = 10, TRef = 2, ThetaPlus = thetaPlus, TauTheta = 100 })
            .Initial("v", new UniformValue(0, 20, Dimension.Voltage));
        var cond = b.Population("cond", 100, new LifExpCond { ThetaPlus = thetaPlus });
        b.Connect(exc, exc, new FixedProbability(0.1), weight: 0.2, delay: 1.5);
        b.Connect(exc, cond, new FixedProbability(0.1), new UniformValue(1, 2, Dimension.Conductance), new UniformValue(1.5, 3, Dimension.Time));
        b.PoissonInput(exc, sources: 1000, rateHz: 20, weight: 0.1);
        b.Dc(cond, amplitudePa: 50, startMs: 100, stopMs: 300);
        b.RecordState(exc, ["v", "theta"], [0, 1], 1.0);
        var spec = b.Build();
        var plan = PartitionPlan.Create(spec, 2);
        var engines = Enumerable.Range(0, 2).Select(q => new PartitionEngine(spec, q, plan.Owned(q))).ToArray();
        var batches = new List<SpikeBatch> { SpikeBatch.Empty, SpikeBatch.Empty };
        var copies = new (long[] S, long[] G)[2];
        for (int q = 0; q < 2; q++) copies[q] = (new long[100_000], new long[100_000]);

        void Epoch()
        {
            for (int q = 0; q < 2; q++)
            {
                var s = engines[q].RunEpoch();
                Array.Copy(s.Stamps, copies[q].S, s.Count);
                Array.Copy(s.Gids, copies[q].G, s.Count);
                batches[q] = new SpikeBatch(copies[q].S, copies[q].G, s.Count);
            }
            foreach (var e in engines) e.Deliver(batches);
        }

        // Warm up: buffers grow to their working size, the recorders' arrays get room for the whole run.
        for (int i = 0; i < 100; i++) Epoch();
        long spikesBefore = engines.Sum(e => e.SpikesEmitted);
        // Three windows of 20 epochs, the least of them counted: the runtime may allocate once on this thread while
        // it recompiles a hot method, but an allocation of the epoch loop itself shows in every window.
        var windows = new long[3];
        for (int w = 0; w < windows.Length; w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) Epoch();
            windows[w] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.True(engines.Sum(e => e.SpikesEmitted) > spikesBefore, "the network must be active while measured");
        Assert.True(windows.Min() < 1024, $"{string.Join(", ", windows)} bytes allocated in three windows of 20 steady-state epochs");
    }
}
