using System.Diagnostics;
using System.Text;
using DistSnn.Model;

namespace DistSnn.Model.Tests;

public class LoaderTests
{
    private const string Minimal = "populations:\n  - {name: a, size: 3, model: lif_delta}\n";

    private static ModelError SingleError(string text, string? file = "m.yaml") =>
        Assert.Single(Assert.Throws<ModelException>(() => ModelLoader.Parse(text, file)).Errors);

    private static string TempFile(byte[] bytes, string extension = ".yaml")
    {
        var path = Path.Combine(Path.GetTempPath(), $"distsnn-{Guid.NewGuid():N}{extension}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Applies_the_documented_defaults()
    {
        var spec = ModelLoader.Parse(Minimal + "projections:\n  - {source: a, target: a, connector: {type: all_to_all}, weight: 1 mV, delay: 1 ms}\n" +
                                     "record:\n  spikes: all\n  state:\n    - {population: a, variables: [v], neurons: [0]}\n", "dir/my_net.yaml");
        Assert.Equal("my_net", spec.Name);
        Assert.Equal(new RunSettings { Dt = 0.1, Duration = 1000, Seed = 1 }, spec.Run);
        var p = Assert.Single(spec.Projections);
        Assert.Equal(Receptor.Exc, p.Receptor);
        Assert.True(p.Connector.AllowSelfConnections);
        Assert.Null(p.Label);
        Assert.Equal(["a"], spec.Recording.Spikes);
        Assert.Equal(0.1, Assert.Single(spec.Recording.State).Interval);
        Assert.Equal(new LifDelta(), spec.Populations[0].Model);
        Assert.Empty(spec.Populations[0].Initial);
        Assert.Equal("network", ModelLoader.Parse(Minimal).Name);
    }

    [Fact]
    public void Record_interval_defaults_to_the_run_dt()
    {
        var spec = ModelLoader.Parse("run: {dt: 0.25 ms, seed: 18446744073709551615}\n" + Minimal +
                                     "record: {state: [{population: a, variables: [v], neurons: [1, 2]}]}\n");
        Assert.Equal(0.25, spec.Recording.State[0].Interval);
        Assert.Equal(ulong.MaxValue, spec.Run.Seed);
    }

    [Fact]
    public void Sections_may_come_in_any_order()
    {
        var spec = ModelLoader.Parse(
            "projections:\n  - {source: a, target: b, connector: {type: one_to_one}, weight: 2 nS, delay: 1 ms, label: ab}\n" +
            "populations:\n  - {name: a, size: 3, model: lif_delta}\n  - {name: b, size: 3, model: adex, parameters: {v_peak: 0 mV}}\n");
        Assert.Equal(ValueSpec.Of(2, Dimension.Conductance), spec.Projections[0].Weight);
        Assert.Equal("ab", spec.Projections[0].Label);
    }

    [Fact]
    public void Merge_keys_combine_an_anchor_with_overrides()
    {
        var spec = ModelLoader.Parse(
            "populations:\n" +
            "  - name: a\n    size: 2\n    model: lif_delta\n    parameters: &base {tau_m: 20 ms, t_ref: 2 ms}\n" +
            "  - name: b\n    size: 2\n    model: lif_delta\n    parameters:\n      <<: *base\n      tau_m: 10 ms\n");
        Assert.Equal(new LifDelta { TauM = 20, TRef = 2 }, spec.Populations[0].Model);
        Assert.Equal(new LifDelta { TauM = 10, TRef = 2 }, spec.Populations[1].Model);
    }

    [Fact]
    public void From_list_accepts_pairs_quadruples_and_mappings()
    {
        var spec = ModelLoader.Parse(Minimal.Replace("size: 3", "size: 4") +
            "projections:\n  - source: a\n    target: a\n    connector:\n      type: from_list\n      synapses:\n" +
            "        - [0, 1]\n        - [1, 2, 0.5 mV, 2 ms]\n        - {pre: 3, post: 0, delay: 0.3 ms}\n" +
            "    weight: 1 mV\n    delay: 1 ms\n");
        var list = Assert.IsType<FromList>(spec.Projections[0].Connector);
        Assert.Equal(
            [new ListedSynapse(0, 1), new ListedSynapse(1, 2, 0.5, 2), new ListedSynapse(3, 0, null, 0.3)],
            list.Synapses);
        Assert.Equal(3, spec.MinDelaySteps());
    }

    [Fact]
    public void From_list_with_every_weight_and_delay_needs_none_on_the_projection()
    {
        var spec = ModelLoader.Parse(Minimal +
            "projections:\n  - {source: a, target: a, connector: {type: from_list, synapses: [[0, 1, 1 mV, 0.5 ms], [1, 0, 2 mV, 0.7 ms]]}}\n");
        Assert.Equal(Dimension.Voltage, spec.Projections[0].Weight.Dim);
        Assert.Equal(ValueSpec.Of(0.5, Dimension.Time), spec.Projections[0].Delay);
        Assert.Equal(5, spec.MinDelaySteps());
    }

    [Fact]
    public void Spike_generators_take_shared_or_per_source_times()
    {
        var spec = ModelLoader.Parse(
            "populations:\n" +
            "  - {name: s, size: 3, model: spike_generator, parameters: {spike_times: [1 ms, 2.5 ms]}}\n" +
            "  - {name: t, size: 2, model: spike_generator, parameters: {spike_times: [[1 ms], [0.2 ms, 3 ms]]}}\n");
        var shared = Assert.IsType<SpikeGenerator>(spec.Populations[0].Model);
        Assert.Equal([1.0, 2.5], shared.TimesOf(2));
        var perSource = Assert.IsType<SpikeGenerator>(spec.Populations[1].Model);
        Assert.Equal([0.2, 3.0], perSource.TimesOf(1));
    }

    [Fact]
    public void Per_source_spike_lists_must_match_the_size()
    {
        var e = SingleError("populations:\n  - name: s\n    size: 3\n    model: spike_generator\n    parameters:\n      spike_times: [[1 ms], [2 ms]]\n");
        Assert.Equal(("populations[0].parameters.spike_times", 6), (e.Path, e.Line));
        Assert.Contains("has 2 lists, but 's' has 3 sources", e.Message);
    }

    [Fact]
    public void Step_and_dc_currents_load()
    {
        var spec = ModelLoader.Parse(Minimal + "currents:\n" +
            "  - {type: dc, target: a, amplitude: 0.1 nA, start: 5 ms, neurons: [0, 2]}\n" +
            "  - {type: step, target: a, times: [1 ms, 2 ms], amplitudes: [10 pA, -10 pA]}\n");
        var dc = Assert.IsType<DcCurrentSpec>(spec.Currents[0]);
        Assert.Equal((100.0, 5.0, double.PositiveInfinity), (dc.Amplitude, dc.Start, dc.Stop));
        Assert.Equal([0, 2], dc.Neurons!);
        var step = Assert.IsType<StepCurrentSpec>(spec.Currents[1]);
        Assert.Equal([10.0, -10.0], step.Amplitudes);
        Assert.Null(step.Neurons);
    }

    [Fact]
    public void Collects_every_error_in_one_pass_sorted_by_line()
    {
        const string text =
            "run: {dt: 1}\n" +                                                             // 1
            "populations:\n" +                                                             // 2
            "  - {name: a, size: 3, model: lif_delta, parameters: {tau_m: 0 ms}}\n" +      // 3
            "  - {name: b, size: 2, model: nope}\n" +                                      // 4
            "projections:\n" +                                                             // 5
            "  - {source: a, target: c, connector: {type: all_to_all}, weight: 1 mV, delay: 1 ms}\n" + // 6
            "poisson_inputs:\n" +                                                          // 7
            "  - {target: a, sources: 10, rate: -1 Hz, weight: 1 mV, extra: 1}\n" +       // 8
            "record: {spikes: [a, z]}\n";                                                  // 9
        var e = Assert.Throws<ModelException>(() => ModelLoader.Parse(text, "net.yaml"));
        Assert.Equal(
        [
            (1, "run.dt"),
            (3, "populations[0].parameters.tau_m"),
            (4, "populations[1].model"),
            (6, "projections[0].target"),
            (8, "poisson_inputs[0].extra"),
            (8, "poisson_inputs[0].rate"),
            (9, "record.spikes[1]"),
        ], e.Errors.Select(x => (x.Line!.Value, x.Path)));
        Assert.Equal(7, e.Message.Split('\n').Length);
        Assert.StartsWith("net.yaml:1: run.dt: '1' has no unit", e.Message);
    }

    [Fact]
    public void A_file_that_does_not_exist_is_a_model_error_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-dir-distsnn", "missing.yaml");
        var e = Assert.Throws<ModelException>(() => ModelLoader.LoadFile(path));
        var error = Assert.Single(e.Errors);
        Assert.Equal(path, error.File);
        Assert.Null(error.Line);
        Assert.Contains(path, error.ToString());
        Assert.Contains("file not found", error.Message);
    }

    [Fact]
    public void Invalid_utf8_is_reported_with_its_line()
    {
        var bytes = Encoding.UTF8.GetBytes("name: x\nrun: {dt: 0.1 ms}\npopulations: []\n# caf").Concat(new byte[] { 0xC3, 0x28, 0x0A }).ToArray();
        var path = TempFile(bytes);
        try
        {
            var error = Assert.Single(Assert.Throws<ModelException>(() => ModelLoader.LoadFile(path)).Errors);
            Assert.Equal(4, error.Line);
            Assert.Contains("not valid UTF-8", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Byte_order_marks_are_honoured()
    {
        var utf8 = TempFile([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Minimal)]);
        var utf16 = TempFile([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Minimal)], ".json");
        try
        {
            Assert.Equal(3, ModelLoader.LoadFile(utf8).Populations[0].Size);
            Assert.Equal(3, ModelLoader.LoadFile(utf16).Populations[0].Size);
        }
        finally
        {
            File.Delete(utf8);
            File.Delete(utf16);
        }
    }

    [Theory]
    [InlineData("", 1, "the file is empty")]
    [InlineData("# only a comment\n", 1, "the file is empty")]
    [InlineData("- a\n- b\n", 1, "the top level must be a mapping")]
    [InlineData("just text", 1, "the top level must be a mapping")]
    [InlineData("name: a\n---\nname: b\n", 3, "expected one YAML document, found 2")]
    [InlineData("name: a\nrun: {dt: 0.1 ms}\nname: b\n", 3, "Duplicate key")]
    [InlineData("populations:\n  - name: a\n   size: 3\n", 3, "YAML syntax error")]
    [InlineData("populations:\n  - {name: a, size: [3\n", 3, "YAML syntax error")]
    [InlineData("name: \"abc\\q\"\n", 1, "YAML syntax error")]
    [InlineData("name: *nowhere\n", 1, "YAML syntax error")]
    [InlineData("populations: {name: a}\n", 1, "expected a list, got a mapping")]
    [InlineData("populations:\n  - 42\n", 2, "expected a mapping of keys to values, got '42'")]
    [InlineData("populations:\n  - {name: [a], size: 1, model: lif_delta}\n", 2, "expected a name, got a list")]
    [InlineData("populations:\n  - {name: a, size: 1, model: lif_delta}\n? [x]\n: 1\n", 3, "keys must be plain names")]
    public void Malformed_documents_become_model_errors(string text, int line, string fragment)
    {
        var error = SingleError(text);
        Assert.Equal("m.yaml", error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void Deep_nesting_is_refused_without_crashing()
    {
        var watch = Stopwatch.StartNew();
        foreach (var text in new[] { new string('[', 200_000), "name: " + new string('[', 100) + new string(']', 100), new string('{', 50_000) })
        {
            var error = SingleError(text);
            Assert.Contains("nested more than 64 levels deep", error.Message);
            Assert.Equal(1, error.Line);
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Cyclic_and_exponential_aliases_terminate()
    {
        var cyclic = SingleError(Minimal + "record:\n  spikes: &x [a, *x]\n");
        Assert.Equal(("record.spikes[1]", 4), (cyclic.Path, cyclic.Line));

        var laughs = new StringBuilder("x0: &a0 [z, z, z, z, z, z, z, z, z]\n");
        for (int i = 1; i < 30; i++) laughs.Append($"x{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        var e = Assert.Throws<ModelException>(() => ModelLoader.Parse(laughs + Minimal));
        Assert.Equal(30, e.Errors.Count);
        Assert.All(e.Errors, x => Assert.Contains("unknown key", x.Message));

        var mergeCycle = SingleError("populations:\n  - {name: a, size: 1, model: lif_delta, parameters: &q {<<: *q, tau_m: 2 ms}}\n");
        Assert.Equal(("populations[0].parameters", 2), (mergeCycle.Path, mergeCycle.Line));
        Assert.Contains("refers to a mapping that contains it", mergeCycle.Message);
    }

    [Fact]
    public void Unquoted_distributions_in_flow_mappings_are_joined_back()
    {
        var spec = ModelLoader.Parse(
            "populations:\n  - {name: a, size: 2, model: lif_exp_cond, initial: {v: uniform(-70 mV, -60 mV), g_exc: normal(1 nS, 0.5 nS)}}\n" +
            "projections:\n  - {source: a, target: a, connector: {type: all_to_all}, weight: uniform(1 nS, 2 nS), delay: normal(2 ms, 0.5 ms)}\n");
        Assert.Equal(new UniformValue(-70, -60, Dimension.Voltage), spec.Populations[0].Initial["v"]);
        Assert.Equal(new NormalValue(1, 0.5, Dimension.Conductance), spec.Populations[0].Initial["g_exc"]);
        Assert.Equal(new UniformValue(1, 2, Dimension.Conductance), spec.Projections[0].Weight);
        Assert.Equal(new NormalValue(2, 0.5, Dimension.Time), spec.Projections[0].Delay);

        var late = SingleError("populations:\n  - {name: a, size: 2, model: lif_delta}\n" +
            "projections:\n  - {source: a, target: a, connector: {type: all_to_all}, weight: 1 mV,\n     delay: uniform(0.01 ms, 2 ms)}\n");
        Assert.Equal(("projections[0].delay", 5), (late.Path, late.Line));
        Assert.Contains("uniform(0.01 ms, 2 ms) has lower bound 0.01 ms", late.Message);
    }

    [Fact]
    public void Split_values_that_cannot_be_joined_get_a_hint()
    {
        var inList = Assert.Throws<ModelException>(() => ModelLoader.Parse(
            "populations:\n  - {name: a, size: 2, model: lif_delta}\ncurrents:\n  - {type: step, target: a, times: [uniform(1 ms, 2 ms)], amplitudes: [1 pA, 2 pA]}\n"));
        Assert.Equal(["currents[0].times[0]", "currents[0].times[1]"], inList.Errors.Select(x => x.Path));
        Assert.Contains("a distribution is not allowed here", inList.Errors[0].Message);

        var unclosed = SingleError("populations:\n  - {name: a, size: 2, model: lif_delta, initial: {v: uniform(0 mV}}\n");
        Assert.Equal("populations[0].initial.v", unclosed.Path);
        Assert.Contains("put quotes around values that contain commas", unclosed.Message);

        var duplicate = SingleError("populations:\n  - {name: a, size: 2, model: lif_exp_cond, initial: {g_exc: normal(4 nS, 1 nS), g_inh: normal(8 nS, 1 nS)}}\n");
        Assert.Equal(2, duplicate.Line);
        Assert.Contains("Duplicate key", duplicate.Message);
        Assert.Contains("put quotes around values that contain commas", duplicate.Message);
    }

    [Fact]
    public void Initial_entries_without_a_value_are_reported()
    {
        var e = SingleError("populations:\n  - name: a\n    size: 2\n    model: lif_delta\n    initial:\n      v:\n");
        Assert.Equal(("populations[0].initial.v", 6, "has no value"), (e.Path, e.Line, e.Message));
    }

    [Fact]
    public void Errors_format_with_the_parts_that_are_present()
    {
        Assert.Equal("a.yaml:3: run.dt: bad", new ModelError("a.yaml", 3, "run.dt", "bad").ToString());
        Assert.Equal("a.yaml: run.dt: bad", new ModelError("a.yaml", null, "run.dt", "bad").ToString());
        Assert.Equal("line 3: run.dt: bad", new ModelError(null, 3, "run.dt", "bad").ToString());
        Assert.Equal("run.dt: bad", new ModelError("run.dt", "bad").ToString());
        Assert.Equal("a.yaml:1: bad", new ModelError("a.yaml", 1, "", "bad").ToString());
        var e = new ModelException([new ModelError("x", "one"), new ModelError("y", "two")]);
        Assert.Equal("x: one\ny: two", e.Message);
    }

    [Fact]
    public void Errors_without_a_file_name_still_carry_lines()
    {
        var error = SingleError("run: {dt: 1 mV}\n" + Minimal, file: null);
        Assert.Equal((null, 1, "run.dt"), (error.File, error.Line, error.Path));
        Assert.Equal("line 1: run.dt: '1 mV' is a voltage; expected a time (e.g. in ms)", error.ToString());
    }
}
