namespace DistSnn.Model;

public static partial class NetworkValidator
{
    private sealed partial class Checker
    {
        /// <summary>Per-neuron parameters: allowed for the model, in its dimension, one value per neuron, thresholds above resets.</summary>
        private void CheckPerNeuron(PopulationSpec p, string path)
        {
            foreach (var (name, value) in p.PerNeuron)
            {
                var ppath = $"{path}.parameters.{name}";
                var field = p.Model.Parameters.FirstOrDefault(f => f.Name == name);
                if (field is null || !p.Model.PerNeuronParameters.Contains(name))
                {
                    Add(ppath, $"{p.Model.Kind} cannot take {name} per neuron (per-neuron parameters: {(p.Model.PerNeuronParameters.Count == 0 ? "none" : string.Join(", ", p.Model.PerNeuronParameters))})");
                    continue;
                }
                if (!CheckValue(value, ppath, [field.Dim])) continue;
                if (value is ArrayValue a && a.Count != p.Size)
                    Add(ppath, $"{a} holds {a.Count} values; the population has {p.Size} neurons");
            }
            if (p.Model.Parameters.Any(f => f.Name == "v_th") && p.Model.Parameters.Any(f => f.Name == "v_reset"))
                CheckThresholdAboveReset(p, path);
        }

        private void CheckThresholdAboveReset(PopulationSpec p, string path)
        {
            // Only data can break the rule for a neuron: constants were checked with the model.
            if (!p.PerNeuron.Values.Any(v => v is ArrayValue)) return;
            var th = PerNeuronValue(p, "v_th");
            var reset = PerNeuronValue(p, "v_reset");
            if (th is null || reset is null) return;
            try
            {
                for (int i = 0; i < p.Size; i++)
                    if (!(reset(i) < th(i)))
                    {
                        Add($"{path}.parameters.v_reset", $"must be below v_th for every neuron; neuron {i} has v_reset = {Units.Format(reset(i), Dimension.Voltage)}, v_th = {Units.Format(th(i), Dimension.Voltage)}");
                        return;
                    }
            }
            catch (FormatException e)
            {
                // A dataset read for this check (thresholds and resets are read whole) that holds an unusable value.
                Add($"{path}.parameters", e.Message);
            }
        }

        /// <summary>Neuron i's value of a parameter when it is known before drawing (a constant or data of the right length); else null.</summary>
        private static Func<int, double>? PerNeuronValue(PopulationSpec p, string name)
        {
            if (!p.PerNeuron.TryGetValue(name, out var v))
            {
                double c = p.Model.Parameters.First(f => f.Name == name).Get(p.Model);
                return _ => c;
            }
            return v switch
            {
                ConstantValue c => _ => c.Value,
                ArrayValue a when a.Count == p.Size => i => a.Values[i],
                _ => null,
            };
        }
    
        /// <summary>A fixed in-degree with given sources: n per target, each a source index, no self-connection unless allowed.</summary>
        private void CheckGivenSources(FixedNumberPre f, IReadOnlyList<int> given, PopulationSpec? source, PopulationSpec? target, bool noSelf, string path)
        {
            if (f.N < 0) Add($"{path}.n", $"{f.N} is negative; n must be >= 0");
            if (source is null || target is null || f.N < 0) return;
            if (given.Count != (long)target.Size * f.N)
            {
                Add($"{path}.sources", $"lists {given.Count} sources; {target.Size} targets × n = {f.N} need {(long)target.Size * f.N}");
                return;
            }
            for (int i = 0; i < given.Count; i++)
            {
                int t = i / Math.Max(f.N, 1);
                if (given[i] < 0 || given[i] >= source.Size)
                    Add($"{path}.sources[{t}][{i % f.N}]", $"{given[i]} is not a neuron of '{source.Name}' ({source.Size} neurons)");
                else if (noSelf && given[i] == t)
                    Add($"{path}.sources[{t}][{i % f.N}]", $"connects neuron {t} to itself; allow_self_connections is false");
                else continue;
                return;
            }
        }
    }
}
