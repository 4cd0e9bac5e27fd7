using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Nodes.Tests;

/// <summary>Builds partition engines for a spec, runs them with the in-memory exchange and reads their records.</summary>
internal static class Sim
{
    public static PartitionEngine[] Build(NetworkSpec spec, int parts = 1, PartitionStrategy strategy = PartitionStrategy.Contiguous)
    {
        var plan = PartitionPlan.Create(spec, parts, strategy);
        return Enumerable.Range(0, parts).Select(q => new PartitionEngine(spec, q, plan.Owned(q))).ToArray();
    }

    public static PartitionEngine[] Run(NetworkSpec spec, int parts = 1, PartitionStrategy strategy = PartitionStrategy.Contiguous)
    {
        var engines = Build(spec, parts, strategy);
        DistSnn.Nodes.Exchange.InProcessRunner.Run(spec, engines);
        return engines;
    }

    /// <summary>Recorded spikes of one population from all engines, as (stamp, population-local id), sorted.</summary>
    public static List<(long Stamp, int Id)> Spikes(IEnumerable<PartitionEngine> engines, int population)
    {
        var all = new List<(long, int)>();
        foreach (var e in engines)
        {
            var rec = e.SpikeRecords[population];
            if (rec is null) continue;
            var (stamps, ids) = rec.ToArrays();
            for (int k = 0; k < stamps.Length; k++) all.Add((stamps[k], ids[k]));
        }
        all.Sort();
        return all;
    }

    /// <summary>Spike stamps of every neuron of a population, indexed by population-local id.</summary>
    public static List<long>[] SpikeTrains(IEnumerable<PartitionEngine> engines, int population, int size)
    {
        var trains = Enumerable.Range(0, size).Select(_ => new List<long>()).ToArray();
        foreach (var (stamp, id) in Spikes(engines, population)) trains[id].Add(stamp);
        return trains;
    }

    /// <summary>The samples of one neuron's variable, from whichever engine recorded it.</summary>
    public static float[] Trace(IEnumerable<PartitionEngine> engines, int recorder, string variable, int neuron)
    {
        foreach (var e in engines)
            foreach (var r in e.StateRecords)
            {
                if (r.Recorder != recorder || r.Variable != variable) continue;
                int j = Array.IndexOf(r.Neurons, neuron);
                if (j < 0) continue;
                var values = r.Values;
                return Enumerable.Range(0, r.Samples).Select(k => values[k * r.Neurons.Length + j]).ToArray();
            }
        throw new InvalidOperationException($"neuron {neuron} is not recorded by recorder {recorder} ({variable})");
    }

    /// <summary>Final value of a state variable of every neuron of a population, gathered from the engines.</summary>
    public static float[] FinalState(IEnumerable<PartitionEngine> engines, int population, int size, string variable)
    {
        var result = new float[size];
        foreach (var e in engines)
        {
            var g = e.Group(population);
            if (g is null) continue;
            var owned = e.Owned[population];
            var a = g.State(variable);
            for (int k = 0; k < owned.Length; k++) result[owned[k]] = a[k];
        }
        return result;
    }
}
