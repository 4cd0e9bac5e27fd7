using DistSnn.Hardware.SpiNNaker.Execution;
using DistSnn.Model;
using DistSnn.Nodes.Backends;

namespace DistSnn.Cli;

/// <summary>The backends this program hosts: the CPU and the modelled SpiNNaker machine (fixed point and ideal).</summary>
internal static class Backends
{
    /// <summary>Every backend the commands accept.</summary>
    public static BackendRegistry Registry { get; } = SpiNNakerBackend.AddTo(BackendRegistry.Default);

    /// <summary>
    /// The model with each <c>KEY=VALUE</c> of a <c>--spinnaker</c> option set in its <c>backends.spinnaker</c> section; null,
    /// with the error printed, when one is not of that form.
    /// </summary>
    public static NetworkSpec? WithSpiNNakerOptions(NetworkSpec spec, IReadOnlyList<string>? options)
    {
        foreach (var option in options ?? [])
        {
            int eq = option.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == option.Length - 1)
            {
                Console.Error.WriteLine($"error: --spinnaker: '{option}' is not KEY=VALUE (keys: {string.Join(", ", SpiNNakerSettings.Options)})");
                return null;
            }
            spec = WithOption(spec, SpiNNakerSettings.Section, option[..eq].Trim(), option[(eq + 1)..].Trim());
        }
        return spec;
    }

    /// <summary>The <c>--spinnaker KEY=VALUE</c> option of the commands that model the machine.</summary>
    public static System.CommandLine.Option<string[]> SpiNNakerOption() => new("--spinnaker")
    {
        Description = "Set a figure of the modelled SpiNNaker machine, as in the model's backends.spinnaker section (repeatable), e.g. " +
                      "time_scale_factor=20, max_neurons_per_core=80, boards=3, cycles_per_packet=1500",
        AllowMultipleArgumentsPerToken = false,
    };

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
