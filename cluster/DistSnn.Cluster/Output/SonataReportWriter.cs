using PureHDF;

namespace DistSnn.Cluster.Output;

/// <summary>
/// Writes sampled state in the SONATA frame-oriented report layout, one subtree per population and
/// variable: <c>/report/&lt;population&gt;/&lt;variable&gt;/data</c> (float32, samples x neurons,
/// attribute <c>units</c>) and <c>.../mapping/{node_ids, index_pointers, element_ids, time}</c>.
/// </summary>
/// <remarks>
/// SONATA itself keeps one variable per file directly under <c>/report/&lt;population&gt;</c>; the extra
/// variable level lets several variables share a file while each subtree still reads like a
/// standard report. Every neuron is a single element, so <c>index_pointers</c> is 0..N (N+1 entries,
/// so that node i owns columns [ptr[i], ptr[i+1])) and <c>element_ids</c> is all 0, the soma section.
/// <c>time</c> is [start, stop, step] in ms with stop exclusive, as the specification requires.
/// </remarks>
public static class SonataReportWriter
{
    public static void Write(string path, IReadOnlyList<StateTrace> traces, double dtMs)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(traces);
        OutputChecks.Dt(dtMs);

        var reportGroup = new H5Group();
        var file = new H5File { ["report"] = reportGroup };

        foreach (var trace in traces)
        {
            ArgumentNullException.ThrowIfNull(trace, nameof(traces));
            trace.Validate();
            OutputChecks.LinkName(trace.Population, "Population");
            OutputChecks.LinkName(trace.Variable, "Variable");

            if (!reportGroup.TryGetValue(trace.Population, out var existing))
            {
                existing = new H5Group();
                reportGroup[trace.Population] = existing;
            }
            var popGroup = (H5Group)existing;
            if (popGroup.ContainsKey(trace.Variable))
            {
                throw new ArgumentException(
                    $"State trace '{trace.Population}/{trace.Variable}' is listed more than once.", nameof(traces));
            }

            int neurons = trace.LocalIds.Length;
            int samples = trace.SampleCount;

            var nodeIds = new ulong[neurons];
            var indexPointers = new ulong[neurons + 1];
            for (int j = 0; j < neurons; j++)
            {
                nodeIds[j] = (ulong)trace.LocalIds[j];
                indexPointers[j + 1] = (ulong)(j + 1);
            }

            double startMs = trace.FirstStep * dtMs;
            double stopMs = (trace.FirstStep + samples * trace.IntervalSteps) * dtMs;
            double stepMs = trace.IntervalSteps * dtMs;

            popGroup[trace.Variable] = new H5Group
            {
                ["data"] = new H5Dataset(trace.Values, fileDims: [(ulong)samples, (ulong)neurons])
                {
                    Attributes = new() { ["units"] = trace.Unit },
                },
                ["mapping"] = new H5Group
                {
                    ["node_ids"] = nodeIds,
                    ["index_pointers"] = indexPointers,
                    ["element_ids"] = new uint[neurons],
                    ["time"] = new H5Dataset(new[] { startMs, stopMs, stepMs })
                    {
                        Attributes = new() { ["units"] = "ms" },
                    },
                },
            };
        }

        file.Write(path);
    }
}
