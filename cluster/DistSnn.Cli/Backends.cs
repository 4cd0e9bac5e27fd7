using DistSnn.Hardware.Memristive;
using DistSnn.Hardware.SpiNNaker.Execution;
using DistSnn.Model;
using DistSnn.Nodes.Backends;

namespace DistSnn.Cli;

/// <summary>The backends this program hosts: the CPU, the modelled SpiNNaker machine (fixed point and ideal) and the modelled memristive chips (one per preset).</summary>
internal static class Backends
{
    /// <summary>Every backend the commands accept.</summary>
    public static BackendRegistry Registry { get; } = MemristiveBackend.AddTo(SpiNNakerBackend.AddTo(BackendRegistry.Default));

    /// <summary>
    /// The model with each <c>KEY=VALUE</c> of a <c>--spinnaker</c> option set in its <c>backends.spinnaker</c> section; null,
    /// with the error printed, when one is not of that form.
    /// </summary>
    public static NetworkSpec? WithSpiNNakerOptions(NetworkSpec spec, IReadOnlyList<string>? options) =>
        WithOptions(spec, "--spinnaker", SpiNNakerSettings.Section, SpiNNakerSettings.Options, options);

    /// <summary>The model with each <c>KEY=VALUE</c> of a <c>--memristive</c> option set in its <c>backends.memristive</c> section (null: one is malformed, error printed).</summary>
    public static NetworkSpec? WithMemristiveOptions(NetworkSpec spec, IReadOnlyList<string>? options) =>
        WithOptions(spec, "--memristive", MemristiveSettings.Section, MemristiveSettings.Options, options);

    private static NetworkSpec? WithOptions(NetworkSpec spec, string flag, string section, IReadOnlyList<string> keys, IReadOnlyList<string>? options)
    {
        foreach (var option in options ?? [])
        {
            int eq = option.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == option.Length - 1)
            {
                Console.Error.WriteLine($"error: {flag}: '{option}' is not KEY=VALUE (keys: {string.Join(", ", keys)})");
                return null;
            }
            spec = WithOption(spec, section, option[..eq].Trim(), option[(eq + 1)..].Trim());
        }
        return spec;
    }

    /// <summary>The <c>--memristive KEY=VALUE</c> option of the commands that model the chips.</summary>
    public static System.CommandLine.Option<string[]> MemristiveOption() => new("--memristive")
    {
        Description = "Set a figure of the modelled memristive chips, as in the model's backends.memristive section (repeatable), e.g. " +
                      "levels=16, adc_bits=6, c2c=0.003, stuck_at=0.01, crossbars=exc->exc",
        AllowMultipleArgumentsPerToken = false,
    };

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
