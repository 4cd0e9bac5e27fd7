namespace DistSnn.Model;

public static partial class NetworkValidator
{
    private sealed partial class Checker
    {
        private void CheckDataset()
        {
            var populations = spec.Populations ?? [];
            var d = spec.Dataset;
            if (d is null)
            {
                for (int p = 0; p < populations.Count; p++)
                    if (populations[p]?.Model is DatasetInput)
                        Add($"populations[{p}].model", "dataset_input needs a dataset: block that says what it presents");
                return;
            }
            var input = Population(d.Input, "dataset.input");
            if (input is not null)
            {
                if (input.Model is not DatasetInput)
                    Add("dataset.input", $"population '{d.Input}' has model {input.Model?.Kind}; the input of a dataset has model dataset_input");
                else if (input.Size != d.Pixels)
                    Add("dataset.input", $"population '{d.Input}' has {input.Size} neurons; the images of {d.ImagesFile} have {d.Images.Rows}x{d.Images.Columns} = {d.Pixels} pixels");
                // Analog input is delivered before the spikes of the same step: canonical only if its gids come first.
                if (d.Encoding == SampleEncoding.Direct && populations.Count > 0 && populations[0]?.Name != d.Input)
                    Add("dataset.input", $"with encoding direct the input population '{d.Input}' must be the first population, so that its analog input comes first in the order inputs are summed");
            }
            for (int p = 0; p < populations.Count; p++)
                if (populations[p]?.Model is DatasetInput && populations[p].Name != d.Input)
                    Add($"populations[{p}].model", $"only the dataset's input ('{d.Input}') may be a dataset_input");
            if (d.Encoding == SampleEncoding.Direct)
                for (int k = 0; k < spec.Projections.Count; k++)
                    if (spec.Projections[k]?.Source == d.Input && spec.Projections[k].Synapse.IsPlastic)
                        Add($"projections[{k}].synapse", $"analog input (encoding direct) reaches static synapses only; '{d.Input}' has no spikes for a plasticity rule");
            var readout = Receiver(d.Readout, "dataset.readout", "a readout");
            if (readout is not null)
            {
                int classes = d.Labels.Take(d.Samples).DefaultIfEmpty((byte)0).Max() + 1;
                if (readout.Size < classes)
                    Add("dataset.readout", $"population '{d.Readout}' has {readout.Size} neurons; the labels of the presented samples go up to {classes - 1}, one neuron per class");
                if (!(spec.Recording?.Spikes ?? []).Contains(d.Readout))
                    Add("dataset.readout", $"population '{d.Readout}' must be recorded (record: spikes: [{d.Readout}]): its spike counts are the answer");
            }
            double dt = spec.Run.Dt;
            // Pending input is dropped at the start of each sample; that is exact when every spike is delivered before
            // the next step runs, i.e. with delays of one step (epochs of one step, no lag).
            if (d.Reset && spec.Projections.Any(p => p.Delay is null || !double.IsFinite(p.Delay.Upper) || spec.DelaySteps(p.Delay.Upper) > 1
                    || p.Connector is FromList list && list.Synapses.Any(x => x.Delay is double ms && spec.DelaySteps(ms) > 1)))
                Add("dataset.reset", $"needs every delay to be one step (dt = {Units.Format(dt, Dimension.Time)})");
            if (!(d.Present >= dt)) Add("dataset.present", $"must be at least dt = {Units.Format(dt, Dimension.Time)}, got {Units.Format(d.Present, Dimension.Time)}");
            if (!(d.Rest >= 0)) Add("dataset.rest", $"must not be negative, got {Units.Format(d.Rest, Dimension.Time)}");
            if (d.Encoding == SampleEncoding.Poisson && !(d.MaxRateHz > 0 && d.MaxRateHz * dt / 1000 <= 1))
                Add("dataset.max_rate", $"must be positive and at most one spike per step (1 / dt), got {Units.Format(d.MaxRateHz, Dimension.Rate)}");
            if (d.Encoding == SampleEncoding.Latency && !(d.LatencyThreshold > 0 && d.LatencyThreshold <= 1))
                Add("dataset.latency_threshold", $"must lie in (0, 1], got {d.LatencyThreshold}");
        }
    }
}
