using System.Numerics;

namespace DistSnn.Learning.Gradient;

/// <summary>How the learning rate changes over the steps of a run.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout.</summary>
    Constant,
    /// <summary>Cosine decay from the rate to 0 over the run (Loshchilov &amp; Hutter 2017).</summary>
    Cosine,
    /// <summary>Halved at every third of the run.</summary>
    Step,
}

/// <summary>
/// Adam (Kingma &amp; Ba 2015) with decoupled weight decay (AdamW, Loshchilov &amp; Hutter 2019) and a learning-rate
/// schedule. The moments are part of a checkpoint, so a resumed run takes the same steps.
/// </summary>
public sealed class Adam
{
    /// <summary>Moments for <paramref name="parameters"/> parameters.</summary>
    public Adam(int parameters)
    {
        M = new double[parameters];
        V = new double[parameters];
    }

    /// <summary>Base learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>First-moment decay.</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Added to the root of the second moment.</summary>
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>Decoupled weight decay per step, as a fraction of the learning rate (0: none).</summary>
    public double WeightDecay { get; init; }
    /// <summary>The schedule.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;
    /// <summary>Steps the schedule runs over.</summary>
    public long TotalSteps { get; init; } = 1;

    /// <summary>First moments.</summary>
    public double[] M { get; }
    /// <summary>Second moments.</summary>
    public double[] V { get; }
    /// <summary>Steps taken.</summary>
    public long StepCount { get; set; }

    /// <summary>The learning rate of step <paramref name="step"/> (0-based).</summary>
    public double RateAt(long step)
    {
        double progress = Math.Clamp((double)step / Math.Max(1, TotalSteps), 0, 1);
        return Schedule switch
        {
            LearningRateSchedule.Cosine => LearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress)),
            LearningRateSchedule.Step => LearningRate * Math.Pow(0.5, Math.Min(2, Math.Floor(progress * 3))),
            _ => LearningRate,
        };
    }

    /// <summary>
    /// Takes one step with gradient <paramref name="grad"/> (the batch's summed gradient; <paramref name="scale"/>
    /// turns it into the mean). The moments are kept in double, so the step is the same for float and double networks.
    /// </summary>
    public void Step<T>(Span<T> parameters, ReadOnlySpan<T> grad, double scale, ReadOnlySpan<bool> decays)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double lr = RateAt(StepCount);
        StepCount++;
        double c1 = 1 - Math.Pow(Beta1, StepCount), c2 = 1 - Math.Pow(Beta2, StepCount);
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = double.CreateTruncating(grad[i]) * scale;
            M[i] = Beta1 * M[i] + (1 - Beta1) * g;
            V[i] = Beta2 * V[i] + (1 - Beta2) * g * g;
            double p = double.CreateTruncating(parameters[i]);
            if (WeightDecay > 0 && decays[i]) p -= lr * WeightDecay * p;
            p -= lr * (M[i] / c1) / (Math.Sqrt(V[i] / c2) + Epsilon);
            parameters[i] = T.CreateTruncating(p);
        }
    }
}
