using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using DistSnn.Model;

namespace DistSnn.Cluster.Output;

/// <summary>The <c>dataset</c> part of <c>summary.json</c>: how well the network classified the presented samples.</summary>
public sealed record DatasetScore
{
    /// <summary>Samples presented.</summary>
    [JsonPropertyName("samples")] public required int Samples { get; init; }
    /// <summary>Samples whose most active readout neuron is their label.</summary>
    [JsonPropertyName("correct")] public required int Correct { get; init; }
    /// <summary>Correct / samples.</summary>
    [JsonPropertyName("accuracy")] public required double Accuracy { get; init; }
    /// <summary>Samples during whose presentation the readout did not spike (answered class 0).</summary>
    [JsonPropertyName("silent_samples")] public required int Silent { get; init; }
    /// <summary>The readout population.</summary>
    [JsonPropertyName("readout")] public required string Readout { get; init; }
    /// <summary>The input encoding.</summary>
    [JsonPropertyName("encoding")] public required string Encoding { get; init; }
    /// <summary>Presentation per sample (ms).</summary>
    [JsonPropertyName("present_ms")] public required double PresentMs { get; init; }
    /// <summary>Pause after each presentation (ms).</summary>
    [JsonPropertyName("rest_ms")] public required double RestMs { get; init; }
    /// <summary>Whether each sample started from the initial state.</summary>
    [JsonPropertyName("reset")] public required bool Reset { get; init; }
}

/// <summary>
/// Scores a data-set run: the readout population's spikes during each presentation are counted per neuron; the
/// neuron with the most is the answer (the lowest index on a tie, class 0 when silent).
/// </summary>
public static class DatasetReadout
{
    /// <summary>Counts per sample and readout neuron, [sample, neuron].</summary>
    public static int[,] Counts(NetworkSpec spec, PopulationSpikes readout)
    {
        var data = spec.Dataset ?? throw new ArgumentException("the model presents no dataset");
        var grid = spec.Run.Grid;
        long present = data.PresentSteps(grid), period = data.PeriodSteps(grid);
        var counts = new int[data.Samples, readout.Size];
        for (int s = 0; s < readout.Count; s++)
        {
            long step = readout.Steps[s] - 1, sample = step / period;
            if (sample < data.Samples && step % period < present) counts[sample, readout.LocalIds[s]]++;
        }
        return counts;
    }

    /// <summary>Scores the run and, with <paramref name="outDir"/>, writes <c>predictions.csv</c> (sample, label, predicted, counts).</summary>
    public static DatasetScore Score(NetworkSpec spec, PopulationSpikes readout, string? outDir)
    {
        var data = spec.Dataset!;
        var counts = Counts(spec, readout);
        int correct = 0, silent = 0, n = readout.Size;
        var csv = outDir is null ? null : new StringBuilder("sample,label,predicted," + string.Join(",", Enumerable.Range(0, n).Select(k => $"count_{k}")) + "\n");
        for (int s = 0; s < data.Samples; s++)
        {
            int best = 0, total = 0;
            for (int k = 0; k < n; k++)
            {
                total += counts[s, k];
                if (counts[s, k] > counts[s, best]) best = k;
            }
            if (total == 0) silent++;
            if (best == data.Labels[s]) correct++;
            csv?.Append(CultureInfo.InvariantCulture, $"{s},{data.Labels[s]},{best}");
            for (int k = 0; k < n; k++) csv?.Append(CultureInfo.InvariantCulture, $",{counts[s, k]}");
            csv?.Append('\n');
        }
        if (outDir is not null) File.WriteAllText(Path.Combine(outDir, "predictions.csv"), csv!.ToString());
        return new DatasetScore
        {
            Samples = data.Samples, Correct = correct, Accuracy = data.Samples == 0 ? 0 : (double)correct / data.Samples, Silent = silent,
            Readout = data.Readout, Encoding = data.EncodingName, PresentMs = data.Present, RestMs = data.Rest, Reset = data.Reset,
        };
    }
}
