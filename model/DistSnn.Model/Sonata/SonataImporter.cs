using System.Text.Json;

namespace DistSnn.Model.Sonata;

/// <summary>
/// Reads a SONATA point-neuron network (a simulation config, a circuit config, or BMTK's combined config) as a
/// <see cref="NetworkSpec"/>: node populations become populations of the same name whose neuron i is node id i, in
/// the order the configs list their files and each file's populations; edge populations become <c>from_list</c>
/// projections; virtual nodes become spike generators fed by the config's spike inputs; current clamps become DC
/// currents; reports become state recordings; <c>run.tstop</c> and <c>run.dt</c> the run. Every population's spikes
/// are recorded.
/// </summary>
public static class SonataImporter
{
    /// <summary>Whether the JSON file <paramref name="path"/> is a SONATA config (and not a DistSnn model in JSON).</summary>
    public static bool IsSonataConfig(string path, byte[] bytes)
    {
        if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            using var doc = JsonDocument.Parse(bytes, SonataJson.Options);
            return SonataConfig.IsSonata(doc.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads and validates the network; a <see cref="ModelException"/> names the file, population and attribute of any problem.</summary>
    public static NetworkSpec Load(string path)
    {
        try
        {
            var config = SonataConfig.Load(path);
            var pops = SonataNodes.Read(config);
            var projections = SonataEdges.Read(config, pops);
            var circuit = new SonataCircuit(pops);
            var currents = new List<CurrentSourceSpec>();
            if (config.Inputs is { } inputs) SonataInputs.Apply(config, inputs, circuit, currents);
            var state = config.Reports is { } reports ? SonataInputs.Reports(config, reports, circuit) : [];
            var populations = circuit.Specs;
            var poisson = config.PoissonInputs is { } pi ? SonataExtensions.PoissonInputs(config, pi, populations) : [];
            var run = new RunSettings();
            if (config.Dt is double dt) run = run with { Dt = dt };
            if (config.TStop is double tstop) run = run with { Duration = tstop };
            if (config.Seed is ulong seed) run = run with { Seed = seed };
            if (config.ExchangeLag is int lag) run = run with { ExchangeLag = lag };
            // The epoch of a plastic network comes from its model's delays, which its edges alone may not show.
            if (config.MinDelay is double minDelay)
                projections = projections.Select(p => p.Delay.Lower > minDelay ? p with { Delay = ValueSpec.Of(minDelay, Dimension.Time) } : p).ToList();
            var spec = new NetworkSpec
            {
                Name = Path.GetFileName(Path.GetDirectoryName(config.Path)) is { Length: > 0 } dir ? dir : "sonata",
                Run = run,
                Populations = populations,
                Projections = projections,
                Currents = currents,
                PoissonInputs = poisson,
                Reward = config.Reward is { } reward ? SonataExtensions.Reward(config, reward) : null,
                Recording = new RecordingSpec { Spikes = populations.Select(p => p.Name).ToList(), State = state },
            };
            var errors = NetworkValidator.Validate(spec);
            if (errors.Count > 0)
                throw new ModelException(errors.Select(e => e with { File = config.Path, Message = e.Message + Origin(e.Path, spec) }).ToList());
            return spec;
        }
        catch (SonataFormatException e)
        {
            throw new ModelException(new ModelError(null, null, "", e.Message));
        }
    }

    /// <summary>Says which SONATA population or edge population an error about the imported spec concerns.</summary>
    private static string Origin(string path, NetworkSpec spec)
    {
        if (path.StartsWith("projections[", StringComparison.Ordinal) && int.TryParse(path[12..path.IndexOf(']')], out var j) && j < spec.Projections.Count)
            return $" (edge population {spec.Projections[j].Label})";
        if (path.StartsWith("populations[", StringComparison.Ordinal) && int.TryParse(path[12..path.IndexOf(']')], out var p) && p < spec.Populations.Count)
            return $" (node population {spec.Populations[p].Name})";
        return "";
    }
}
