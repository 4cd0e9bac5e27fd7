using DistSnn.Model;
using DistSnn.Nodes.Kernels;
using DistSnn.Nodes.Synapses;

namespace DistSnn.Nodes;

public sealed partial class PartitionEngine
{
    /// <summary>Synapses from a data set's direct (analog) input, or null; delivered here, not by spikes.</summary>
    private readonly SynapseBlock[]? _analog;

    private static SynapseBlock[]? AnalogBlocks(NetworkSpec spec, SynapseBlock[][] blocksByPre)
    {
        if (spec.Dataset is not { Encoding: SampleEncoding.Direct } data) return null;
        int input = spec.PopulationIndex(data.Input);
        return input < 0 || blocksByPre[input].Length == 0 ? null : blocksByPre[input];
    }

    /// <summary>
    /// Delivers the analog input of stamps <paramref name="from"/> … <paramref name="to"/> (a stamp is its step + 1):
    /// each pixel of the sample being presented, ascending, as if it were a spike of the input population scaled by the
    /// pixel's intensity. Returns the synaptic events.
    /// </summary>
    private long DeliverAnalog(long from, long to)
    {
        var data = _spec.Dataset!;
        var grid = _spec.Run.Grid;
        long present = data.PresentSteps(grid), period = data.PeriodSteps(grid), events = 0;
        for (long stamp = from; stamp <= to; stamp++)
        {
            long step = stamp - 1, sample = step / period;
            if (sample >= data.Samples || step % period >= present) continue;
            var image = data.Images.Image((int)sample);
            for (int i = 0; i < image.Length; i++)
            {
                if (image[i] == 0) continue;
                float x = SampleEncoder.Analog(image[i]);
                foreach (var block in _analog!) events += block.DeliverScaled(i, stamp, x);
            }
        }
        return events;
    }
}
