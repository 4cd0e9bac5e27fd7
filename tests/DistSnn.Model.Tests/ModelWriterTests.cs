using DistSnn.Model;

namespace DistSnn.Model.Tests;

public class ModelWriterTests
{
    public static TheoryData<string> Examples => new() { "brunel.yaml", "cuba.yaml", "coba.yaml" };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Examples_read_back_equal_from_yaml_and_json(string file)
    {
        var spec = ModelLoader.LoadFile(ExampleFileTests.Example(file));

        SpecAssert.Equal(spec, ModelLoader.Parse(ModelWriter.ToYaml(spec), file));
        SpecAssert.Equal(spec, ModelLoader.Parse(ModelWriter.ToJson(spec), Path.ChangeExtension(file, ".json")));
    }

    [Fact]
    public void Brunel_is_written_in_canonical_units_with_every_parameter()
    {
        var spec = ModelLoader.LoadFile(ExampleFileTests.Example("brunel.yaml"));

        var yaml = ModelWriter.ToYaml(spec);

        Assert.StartsWith("name: brunel\nrun: {dt: 0.1 ms, duration: 1000 ms, seed: 12345}\npopulations:\n  - name: exc\n", yaml);
        // Parameters the file leaves at their defaults are written too, except the infinite v_min.
        Assert.Contains("      tau_m: 20 ms\n      c_m: 250 pF\n      e_l: 0 mV\n      v_th: 20 mV\n      v_reset: 10 mV\n" +
                        "      t_ref: 2 ms\n      i_e: 0 pA\n      theta_plus: 0 mV\n      tau_theta: 10000000 ms\n", yaml);
        Assert.DoesNotContain("v_min", yaml);
        Assert.Contains("      v: \"uniform(0 mV, 20 mV)\"\n", yaml);
        Assert.Contains("connector: {type: fixed_probability, p: 0.1, allow_self_connections: false}", yaml);
        Assert.Contains("  - {target: exc, sources: 1000, rate: 20 Hz, weight: 0.1 mV, receptor: exc}\n", yaml);
        Assert.EndsWith("record:\n  spikes: [exc, inh]\n", yaml);
    }

    [Fact]
    public void Doubles_keep_every_bit()
    {
        double[] values = [0.1 + 0.2, 1.0 / 3, 1e-300, 5e-324, 1.7976931348623157e308, -0.0, 123456789.12345678];
        foreach (var v in values)
        {
            var spec = Single(new LifDelta { IE = v }) with
            {
                Currents = [new StepCurrentSpec("cells", [0, 1.0 / 7], [v, -v])],
            };

            var back = ModelLoader.Parse(ModelWriter.ToYaml(spec));

            Assert.Equal(BitConverter.DoubleToInt64Bits(v), BitConverter.DoubleToInt64Bits(((LifDelta)back.Populations[0].Model).IE));
            var step = (StepCurrentSpec)back.Currents[0];
            Assert.Equal(BitConverter.DoubleToInt64Bits(1.0 / 7), BitConverter.DoubleToInt64Bits(step.Times[1]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(-v), BitConverter.DoubleToInt64Bits(step.Amplitudes[1]));
        }
    }

    [Fact]
    public void From_list_keeps_each_synapse_in_the_form_it_needs()
    {
        ListedSynapse[] synapses = [new(0, 1), new(1, 0, 0.25, 1.5), new(2, 2, Weight: -3), new(0, 2, Delay: 0.7)];
        var spec = Single(new LifDelta()) with
        {
            Projections =
            [
                new ProjectionSpec("cells", "cells", new FromList(synapses) { AllowSelfConnections = true },
                    ValueSpec.Of(0.5, Dimension.Voltage), ValueSpec.Of(0.2, Dimension.Time)) { Label = "listed" },
            ],
        };

        var yaml = ModelWriter.ToYaml(spec);

        Assert.Contains("      synapses:\n        - [0, 1]\n        - [1, 0, 0.25 mV, 1.5 ms]\n        - {pre: 2, post: 2, weight: -3 mV}\n" +
                        "        - {pre: 0, post: 2, delay: 0.7 ms}\n", yaml);
        var back = ModelLoader.Parse(yaml);
        Assert.Equal(spec.Projections[0], back.Projections[0]);
        Assert.Equal("listed", back.Projections[0].Label);
    }

    [Fact]
    public void Dc_current_without_an_end_has_no_stop_and_one_with_an_end_keeps_it()
    {
        var spec = Single(new LifExpCurrent()) with
        {
            Currents =
            [
                new DcCurrentSpec("cells", 100, 5),
                new DcCurrentSpec("cells", -20, 0, 12.5) { Neurons = [2, 0] },
            ],
        };

        var yaml = ModelWriter.ToYaml(spec);

        Assert.Contains("  - {type: dc, target: cells, amplitude: 100 pA, start: 5 ms}\n", yaml);
        Assert.Contains("  - {type: dc, target: cells, amplitude: -20 pA, start: 0 ms, stop: 12.5 ms, neurons: [2, 0]}\n", yaml);
        SpecAssert.Equal(spec, ModelLoader.Parse(yaml));
    }

    [Theory]
    [InlineData("plain_name", "plain_name")]
    [InlineData("null", "\"null\"")]
    [InlineData("- x", "\"- x\"")]
    [InlineData("a: b", "\"a: b\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("two\nlines", "\"two\\u000Alines\"")]
    public void Names_are_quoted_only_when_a_plain_scalar_would_read_differently(string name, string written)
    {
        var spec = Single(new LifDelta(), name);

        var yaml = ModelWriter.ToYaml(spec);

        Assert.Contains($"  - name: {written}\n", yaml);
        Assert.Equal(name, ModelLoader.Parse(yaml).Populations[0].Name);
        Assert.Equal(name, ModelLoader.Parse(ModelWriter.ToJson(spec)).Populations[0].Name);
    }

    [Fact]
    public void Spike_times_shared_and_per_source_stay_apart()
    {
        var shared = Single(new SpikeGenerator { SpikeTimes = [[0.5, 1.25]] }, size: 3);
        var perSource = Single(new SpikeGenerator { SpikeTimes = [[], [0.3], [0.4, 0.9]] }, size: 3);
        var emptyShared = Single(new SpikeGenerator { SpikeTimes = [[]] }, size: 3);

        Assert.Contains("spike_times: [0.5 ms, 1.25 ms]", ModelWriter.ToYaml(shared));
        foreach (var spec in new[] { shared, perSource, emptyShared })
            SpecAssert.Equal(spec, ModelLoader.Parse(ModelWriter.ToYaml(spec)));
    }

    [Fact]
    public void A_finite_poisson_generator_stop_and_v_min_are_written()
    {
        var spec = Single(new LifDelta { VMin = -80 }) with
        {
            Populations =
            [
                new PopulationSpec("cells", 2, new LifDelta { VMin = -80 }),
                new PopulationSpec("src", 2, new PoissonGenerator { Rate = 5, Start = 1, Stop = 9 }),
            ],
        };

        var yaml = ModelWriter.ToYaml(spec);

        Assert.Contains("v_min: -80 mV", yaml);
        Assert.Contains("stop: 9 ms", yaml);
        SpecAssert.Equal(spec, ModelLoader.Parse(yaml));
    }

    [Fact]
    public void Adaptive_threshold_parameters_and_initial_theta_read_back_on_every_lif_model()
    {
        var spec = new NetworkSpec
        {
            Name = "theta",
            Populations =
            [
                new PopulationSpec("d", 2, new LifDelta { ThetaPlus = 0.05, TauTheta = 1.0 / 3 })
                {
                    Initial = new Dictionary<string, ValueSpec> { ["theta"] = new UniformValue(0, 0.5, Dimension.Voltage) },
                },
                new PopulationSpec("c", 2, new LifExpCurrent { ThetaPlus = 1e-300, TauTheta = 12345.678 }),
                new PopulationSpec("g", 2, new LifExpCond { ThetaPlus = 2.5 })
                {
                    Initial = new Dictionary<string, ValueSpec> { ["theta"] = ValueSpec.Of(0.75, Dimension.Voltage) },
                },
            ],
            Recording = new RecordingSpec { State = [new StateRecorderSpec("g", ["theta", "v"], [1])] },
        };

        var yaml = ModelWriter.ToYaml(spec);

        Assert.Contains("      theta_plus: 0.05 mV\n      tau_theta: 0.3333333333333333 ms\n", yaml);
        Assert.Contains("      theta_plus: 1E-300 mV\n      tau_theta: 12345.678 ms\n", yaml);
        Assert.Contains("      theta_plus: 2.5 mV\n      tau_theta: 10000000 ms\n", yaml);
        Assert.Contains("      theta: \"uniform(0 mV, 0.5 mV)\"\n", yaml);
        Assert.Contains("variables: [theta, v]", yaml);
        SpecAssert.Equal(spec, ModelLoader.Parse(yaml));
        SpecAssert.Equal(spec, ModelLoader.Parse(ModelWriter.ToJson(spec)));
    }

    [Fact]
    public void Values_a_file_cannot_express_are_refused_with_their_field()
    {
        var nan = Single(new LifDelta { TauM = double.NaN });
        var plusInfinity = Single(new LifDelta { VMin = double.PositiveInfinity });

        var e1 = Assert.Throws<ArgumentException>(() => ModelWriter.ToYaml(nan));
        var e2 = Assert.Throws<ArgumentException>(() => ModelWriter.ToJson(plusInfinity));

        Assert.Contains("populations[0].parameters.tau_m", e1.Message);
        Assert.Contains("populations[0].parameters.v_min", e2.Message);
    }

    [Fact]
    public void WriteFile_picks_json_by_extension()
    {
        var spec = ModelLoader.LoadFile(ExampleFileTests.Example("cuba.yaml"));
        var dir = Directory.CreateTempSubdirectory("distsnn-writer-");
        try
        {
            var json = Path.Combine(dir.FullName, "cuba.json");
            var yaml = Path.Combine(dir.FullName, "cuba.yaml");
            ModelWriter.WriteFile(spec, json);
            ModelWriter.WriteFile(spec, yaml);

            Assert.StartsWith("{", File.ReadAllText(json));
            Assert.StartsWith("name: cuba", File.ReadAllText(yaml));
            SpecAssert.Equal(spec, ModelLoader.LoadFile(json));
            SpecAssert.Equal(spec, ModelLoader.LoadFile(yaml));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static NetworkSpec Single(NeuronModel model, string name = "cells", int size = 3) => new()
    {
        Name = "single",
        Populations = [new PopulationSpec(name, size, model)],
    };
}
