using System.Buffers.Binary;
using PureHDF;

namespace DistSnn.Model.Tests;

/// <summary>The <c>dataset:</c> block and values read from HDF5 datasets: what loads, what is refused and how it is named.</summary>
public sealed class DatasetAndArrayValueTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-dataset-").FullName;

    public DatasetAndArrayValueTests()
    {
        var images = new byte[16 + 5 * 4];
        images[2] = 0x08;
        images[3] = 3;
        BinaryPrimitives.WriteUInt32BigEndian(images.AsSpan(4), 5);
        BinaryPrimitives.WriteUInt32BigEndian(images.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt32BigEndian(images.AsSpan(12), 2);
        for (int i = 0; i < 20; i++) images[16 + i] = (byte)(i * 12);
        File.WriteAllBytes(Path.Combine(_dir, "images.idx"), images);
        var labels = new byte[8 + 5];
        labels[2] = 0x08;
        labels[3] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(labels.AsSpan(4), 5);
        new byte[] { 0, 1, 2, 1, 0 }.CopyTo(labels, 8);
        File.WriteAllBytes(Path.Combine(_dir, "labels.idx"), labels);
        var h5 = new H5File
        {
            ["w"] = new H5Dataset(Enumerable.Range(0, 12).Select(i => 0.25f * i - 1).ToArray(), fileDims: [4, 3]),
            ["v0"] = new double[] { -1, 0.5, 0.25 },
        };
        h5.Write(Path.Combine(_dir, "values.h5"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    private string Model(string datasetExtra = "", string weight = "{file: values.h5, dataset: /w, unit: mV}", string input = "input",
        string record = "[out]", string first = "input")
    {
        string inputPop = "  - {name: input, size: 4, model: dataset_input}\n";
        string outPop = "  - {name: out, size: 3, model: lif_delta, parameters: {e_l: 0 mV, v_th: 1 mV, v_reset: 0 mV, t_ref: 0 ms}, initial: {v: {file: values.h5, dataset: /v0, unit: mV}}}\n";
        string text = $"""
            run: {"{"}dt: 1 ms{"}"}
            populations:
            {(first == "input" ? inputPop + outPop : outPop + inputPop)}
            projections:
              - {"{"}source: input, target: out, connector: {"{"}type: all_to_all{"}"}, weight: {weight}, delay: 1 ms{"}"}
            dataset:
              images: images.idx
              labels: labels.idx
              input: {input}
              readout: out
              present: 10 ms
              rest: 5 ms
            {datasetExtra}
            record: {"{"}spikes: {record}{"}"}
            """;
        string path = Path.Combine(_dir, "model.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void LoadsValuesAndTheDatasetAndRunsForThePresentations()
    {
        var spec = ModelLoader.LoadFile(Model());
        var w = Assert.IsType<ArrayValue>(spec.Projections[0].Weight);
        Assert.Equal(12, w.Count);
        Assert.Equal(-1f, w.Values[0]);
        Assert.Equal(1.75f, w.Values[11]);
        var v0 = Assert.IsType<ArrayValue>(spec.Populations[1].Initial["v"]);
        Assert.Equal([-1f, 0.5f, 0.25f], v0.Values);
        var d = spec.Dataset!;
        Assert.Equal(5, d.Samples);
        Assert.Equal(SampleEncoding.Direct, d.Encoding);
        Assert.Equal(5 * 15, spec.Run.Steps);
        // Written and read again: the same values, the same presentation.
        var again = ModelLoader.Parse(ModelWriter.ToYaml(spec), Path.Combine(_dir, "again.yaml"));
        Assert.Equal(w.Values, Assert.IsType<ArrayValue>(again.Projections[0].Weight).Values);
        Assert.Equal(d.Images.Pixels, again.Dataset!.Images.Pixels);
        Assert.Equal(spec.Run.Steps, again.Run.Steps);
    }

    [Theory]
    [InlineData("weight", "{file: values.h5, dataset: /v0, unit: mV}", "projections[0].weight", "holds 3 values; the all_to_all connector from 'input' (4) to 'out' (3) has 12 synapses")]
    [InlineData("weight", "{file: missing.h5, dataset: /w, unit: mV}", "projections[0].weight", "file missing.h5 not found")]
    [InlineData("weight", "{file: values.h5, dataset: /w, unit: nS}", "projections[0].weight.unit", "nS")]
    [InlineData("input", "out", "dataset.input", "has model lif_delta; the input of a dataset has model dataset_input")]
    [InlineData("record", "[input]", "dataset.readout", "must be recorded")]
    [InlineData("first", "out", "dataset.input", "must be the first population")]
    [InlineData("extra", "  encoding: morse", "dataset.encoding", "'morse' is no encoding")]
    [InlineData("extra", "  samples: 9", "dataset.samples", "9 samples, but")]
    [InlineData("poisson", "{file: values.h5, dataset: /w, unit: mV}", "poisson_inputs[0].weight", "a Poisson input's weight is one value")]
    public void RefusesWhatDoesNotFitNamingFieldAndLine(string what, string value, string path, string message)
    {
        string model = what switch
        {
            "weight" => Model(weight: value),
            "input" => Model(input: value),
            "record" => Model(record: value),
            "first" => Model(first: value),
            "poisson" => Model(datasetExtra: $"poisson_inputs:\n  - {{target: out, sources: 2, rate: 5 Hz, weight: {value}}}"),
            _ => Model(datasetExtra: value),
        };
        var e = Assert.Throws<ModelException>(() => ModelLoader.LoadFile(model));
        Assert.Contains(path, e.Message);
        Assert.Contains(message, e.Message);
        Assert.Matches(@"model\.yaml:\d+:", e.Message);
    }
}
