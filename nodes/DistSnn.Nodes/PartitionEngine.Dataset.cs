using DistSnn.Model;
using DistSnn.Nodes.Kernels;
using DistSnn.Nodes.Synapses;

namespace DistSnn.Nodes;

public sealed partial class PartitionEngine
{
    /// <summary>Synapses from a data set's direct (analog) input, or null; delivered here, not by spikes.</summary>
    private readonly SynapseBlock[]? _analog;

    /// <summary>
    /// Per analog block, its targets' summed input for the sample being presented (computed once per sample), when that
    /// sum is what the slot would hold anyway: the slot is empty when the analog input arrives (every synapse onto the
    /// block's targets has the block's constant delay, so earlier spikes cannot reach the slot, and no plastic or device
    /// synapse ends there) and one analog block feeds each target group. Null where the input is delivered synapse by
    /// synapse.
    /// </summary>
    private float[][]? _analogSums;
    private long _analogSample = -1, _analogEvents;

    private float[][]? AnalogSums()
    {
        if (_spec.Dataset is { Encoding: SampleEncoding.Direct } data && _spec.PopulationIndex(data.Input) is int input and >= 0
            && (_plasticByPre[input].Length > 0 || _transmittersByPre[input].Length > 0))
            throw new ArgumentException($"population '{data.Input}': analog input (encoding direct) reaches static CPU synapses only, not plastic or device synapses");
        if (_analog is null || _analog.Select(b => b.Target).Distinct().Count() != _analog.Length) return null;
        foreach (var block in _analog)
        {
            if (block.Delays is not null) return null;
            var target = block.Target;
            if (_blocksByPre.SelectMany(b => b).Any(b => b.Target == target && (b.Delays is not null || b.ConstDelay != block.ConstDelay))) return null;
            if (_delayedByPre.SelectMany(b => b).Any(b => b.Target == target)) return null;
            if (_plastic.Any(b => b.Target == target) || _transmitters.Length > 0) return null;
        }
        return _analog.Select(b => new float[b.Target.Padded]).ToArray();
    }

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
            if (_analogSums is not null)
            {
                if (sample != _analogSample) SumAnalog(image, sample);
                for (int b = 0; b < _analog!.Length; b++) _analog[b].AddToSlot(stamp, _analogSums[b]);
                events += _analogEvents;
                continue;
            }
            for (int i = 0; i < image.Length; i++)
            {
                if (image[i] == 0) continue;
                float x = SampleEncoder.Analog(image[i]);
                foreach (var block in _analog!) events += block.DeliverScaled(i, stamp, x);
            }
        }
        return events;
    }

    /// <summary>The sums <see cref="SynapseBlock.DeliverScaled"/> would build in an empty slot: pixels ascending, each row in synapse order.</summary>
    private void SumAnalog(ReadOnlySpan<byte> image, long sample)
    {
        _analogEvents = 0;
        for (int b = 0; b < _analog!.Length; b++)
        {
            var block = _analog[b];
            var sums = _analogSums![b];
            Array.Clear(sums);
            for (int i = 0; i < image.Length; i++)
            {
                if (image[i] == 0) continue;
                float x = SampleEncoder.Analog(image[i]);
                for (int k = block.RowStart[i]; k < block.RowStart[i + 1]; k++)
                    sums[block.Targets[k]] += (block.Weights is null ? block.ConstWeight : block.Weights[k]) * x;
                _analogEvents += block.RowStart[i + 1] - block.RowStart[i];
            }
        }
        _analogSample = sample;
    }
}
