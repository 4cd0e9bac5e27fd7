using System.Numerics;

namespace DistSnn.Learning.Gradient;

/// <summary>Cross-entropy of a softmax over the output layer's answers.</summary>
public static class Losses
{
    /// <summary>
    /// −log softmax(logits)[label]; writes dL/dlogits = softmax − onehot into <paramref name="gLogits"/>.
    /// </summary>
    public static double CrossEntropy<T>(ReadOnlySpan<T> logits, int label, Span<T> gLogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = double.NegativeInfinity;
        foreach (var z in logits) max = Math.Max(max, double.CreateTruncating(z));
        double sum = 0;
        for (int k = 0; k < logits.Length; k++) sum += Math.Exp(double.CreateTruncating(logits[k]) - max);
        for (int k = 0; k < logits.Length; k++)
        {
            double pk = Math.Exp(double.CreateTruncating(logits[k]) - max) / sum;
            gLogits[k] = T.CreateTruncating(pk - (k == label ? 1 : 0));
        }
        return -(double.CreateTruncating(logits[label]) - max - Math.Log(sum));
    }

    /// <summary>The class with the largest answer; ties go to the lowest class, as the simulator's count read-out does.</summary>
    public static int ArgMax<T>(ReadOnlySpan<T> logits) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int best = 0;
        for (int k = 1; k < logits.Length; k++) if (logits[k] > logits[best]) best = k;
        return best;
    }
}
