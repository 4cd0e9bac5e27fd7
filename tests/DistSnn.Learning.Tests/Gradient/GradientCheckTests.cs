using DistSnn.Learning.Gradient;
using DistSnn.Nodes.Random;

namespace DistSnn.Learning.Tests.Gradient;

/// <summary>
/// Every layer's backward pass against central finite differences of the loss, in double. The spiking networks are
/// run smooth: the spike is the surrogate's antiderivative, so the backward pass (the same code that trains) is the
/// exact gradient of the forward pass and must agree with the differences to 1e-3.
/// </summary>
public sealed class GradientCheckTests
{
    private const double RateWeight = 0.5, RateTarget = 0.05;

    public static TheoryData<string, string, string, string, bool> Cases => new()
    {
        // architecture, units, loss, encoding, bias
        { "12-7-4", "lif_delta", "count", "poisson", false },
        { "12-7-4", "lif_delta", "count", "direct", true },
        { "12-7-5-4", "lif_exp_current", "count", "poisson", true },
        { "12-7-4", "if_subtract", "count", "direct", true },
        { "12-6r-4", "lif_delta", "count", "poisson", false },
        { "12-6r-4", "lif_exp_current", "count", "direct", true },
        { "12-7-4", "lif_delta", "max-membrane", "direct", false },
        { "1x6x6-3c3-a2-4", "lif_delta", "count", "direct", true },
        { "2x5x5-3c3s2p1-4", "lif_exp_current", "count", "poisson", false },
        { "12-7-5-4", "relu", "count", "direct", true },
        { "1x6x6-3c3p1-a2-4", "relu", "count", "direct", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesFiniteDifferences(string arch, string units, string loss, string encoding, bool bias)
    {
        var architecture = Architecture.Parse(arch);
        var neuron = units == "relu"
            ? new NeuronSpec { Kind = UnitKind.Relu }
            : new NeuronSpec { Kind = NeuronSpec.ParseKind(units), TauM = 8, TauSyn = 3, VTh = 1, EL = 0, VReset = 0.1 };
        var lossKind = loss == "count" ? LossKind.Count : LossKind.MaxMembrane;
        foreach (var surrogate in new[] { new Surrogate(SurrogateKind.FastSigmoid, 4), new Surrogate(SurrogateKind.Arctan, 2) })
        {
            var net = new Network<double>(architecture, neuron, surrogate, lossKind, bias, steps: 7, smooth: true);
            var p = RandomParameters(net, seed: 3);
            var input = Input(net, encoding == "poisson" ? EncodingKind.Poisson : EncodingKind.Direct);
            var trace = net.CreateTrace();
            int label = 2;
            var grad = new double[net.ParameterCount];
            var gLogits = new double[architecture.Outputs];
            net.Forward(input, p, trace);
            Losses.CrossEntropy<double>(trace.Logits, label, gLogits);
            net.Backward(p, trace, gLogits, grad, RateWeight, RateTarget);

            foreach (var block in net.Blocks)
            {
                var analytic = new double[block.Length];
                var numeric = new double[block.Length];
                for (int k = 0; k < block.Length; k++)
                {
                    int i = block.Offset + k;
                    double keep = p[i], h = 1e-5 * Math.Max(1, Math.Abs(keep));
                    p[i] = keep + h;
                    double up = Loss(net, input, p, trace, label);
                    p[i] = keep - h;
                    double down = Loss(net, input, p, trace, label);
                    p[i] = keep;
                    numeric[k] = (up - down) / (2 * h);
                    analytic[k] = grad[i];
                }
                double diff = Math.Sqrt(analytic.Zip(numeric, (a, b) => (a - b) * (a - b)).Sum());
                double scale = Math.Max(Norm(analytic), Norm(numeric));
                Assert.True(scale > 1e-9, $"{arch} {units} {surrogate.Name}: {block.Name} has no gradient at all");
                Assert.True(diff / scale <= 1e-3,
                    $"{arch} {units} {loss} {surrogate.Name}: {block.Name} relative error {diff / scale:E2} (|g| = {scale:E2})");
                for (int k = 0; k < block.Length; k++)
                    Assert.True(Math.Abs(analytic[k] - numeric[k]) <= 1e-3 * scale + 1e-9,
                        $"{block.Name}[{k}]: backward {analytic[k]:E4}, finite difference {numeric[k]:E4}");
            }
        }
    }

    [Fact]
    public void RatePenaltyHasItsOwnGradient()
    {
        // The penalty alone (a loss whose logits gradient is zero) must still move the hidden weights.
        var net = new Network<double>(Architecture.Parse("12-7-4"), new NeuronSpec { TauM = 8, VTh = 1 },
            new Surrogate(SurrogateKind.FastSigmoid, 4), LossKind.Count, bias: false, steps: 7, smooth: true);
        var p = RandomParameters(net, seed: 5);
        var input = Input(net, EncodingKind.Direct);
        var trace = net.CreateTrace();
        net.Forward(input, p, trace);
        Assert.True(trace.Rates[0] > RateTarget, $"hidden rate {trace.Rates[0]} is below the target; the test needs it above");
        var grad = new double[net.ParameterCount];
        net.Backward(p, trace, new double[4], grad, RateWeight, RateTarget);
        var hidden = net.Blocks[0];
        double h = 1e-5;
        for (int k = 0; k < hidden.Length; k += 5)
        {
            int i = hidden.Offset + k;
            double keep = p[i];
            p[i] = keep + h;
            double up = Penalty(net, input, p, trace);
            p[i] = keep - h;
            double down = Penalty(net, input, p, trace);
            p[i] = keep;
            Assert.Equal((up - down) / (2 * h), grad[i], 6);
        }
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));

    private static double Penalty(Network<double> net, Activity<double> input, double[] p, NetworkTrace<double> trace)
    {
        net.Forward(input, p, trace);
        double total = 0;
        for (int l = 0; l < net.Stages.Count - 1; l++)
            if (net.Stages[l].Lif is not null && trace.Rates[l] > RateTarget)
                total += RateWeight * (trace.Rates[l] - RateTarget) * (trace.Rates[l] - RateTarget);
        return total;
    }

    private static double Loss(Network<double> net, Activity<double> input, double[] p, NetworkTrace<double> trace, int label)
    {
        double penalty = Penalty(net, input, p, trace);
        return Losses.CrossEntropy<double>(trace.Logits, label, new double[trace.Logits.Length]) + penalty;
    }

    internal static double[] RandomParameters(Network<double> net, ulong seed)
    {
        var p = new double[net.ParameterCount];
        ulong key = CounterRng.StreamKey(seed, RngPurpose.TrainInit, 99);
        foreach (var block in net.Blocks)
        {
            bool isBias = block.Kind == BlockKind.Bias;
            for (int k = 0; k < block.Length; k++)
                p[block.Offset + k] = (2 * CounterRng.Uniform(key, (ulong)(block.Offset + k), 0) - 1) * (isBias ? 0.05 : 0.6);
        }
        return p;
    }

    internal static Activity<double> Input(Network<double> net, EncodingKind kind)
    {
        int n = net.Architecture.Input.Size;
        var image = new byte[n];
        for (int i = 0; i < n; i++) image[i] = (byte)((i * 97 + 31) % 256);
        var input = new Activity<double>(net.Steps, n);
        new InputEncoding { Kind = kind, MaxRateHz = 400 }.Encode(image, input, 7, 0, 0);
        return input;
    }
}
