using DistSnn.Hardware.SpiNNaker.Execution;
using DistSnn.Model;
using DistSnn.Nodes.Backends;

namespace DistSnn.Cli;

/// <summary>The backends this program hosts: the CPU and the modelled SpiNNaker machine (fixed point and ideal).</summary>
internal static class Backends
{
    /// <summary>Every backend the commands accept.</summary>
    public static BackendRegistry Registry { get; } = SpiNNakerBackend.AddTo(BackendRegistry.Default);

    /// <summary><paramref name="spec"/> with backend option <paramref name="option"/> of <paramref name="backend"/> set to <paramref name="value"/>.</summary>
    public static NetworkSpec WithOption(NetworkSpec spec, string backend, string option, string value)
    {
        var all = spec.BackendOptions.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var options = all.TryGetValue(backend, out var existing) ? existing.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal);
        options[option] = value;
        all[backend] = options;
        return spec with { BackendOptions = all };
    }
}
