using System.Numerics;

namespace DistSnn.Learning.Gradient;

/// <summary>The smooth stand-in for the derivative of the spike (a step function) used by the backward pass.</summary>
public enum SurrogateKind
{
    /// <summary>Fast sigmoid (Zenke &amp; Ganguli 2018): σ'(x) = β / (2 (1 + β|x|)²).</summary>
    FastSigmoid,
    /// <summary>Arctangent (Fang et al. 2021): σ'(x) = β / (2 (1 + (πβx/2)²)).</summary>
    Arctan,
}

/// <summary>
/// A surrogate gradient of slope <see cref="Beta"/>, on x = (V − V_th) / (V_th − E_L), the distance to threshold in units
/// of the threshold's height above rest. Both kinds integrate to one, so <see cref="Smooth"/> (their antiderivative) is
/// a sigmoid from 0 to 1: the spike function of the smooth network whose exact gradient the surrogate is, which is
/// how the backward pass is checked against finite differences.
/// </summary>
public readonly record struct Surrogate(SurrogateKind Kind, double Beta)
{
    /// <summary>Parses <c>fast-sigmoid</c> or <c>arctan</c>.</summary>
    public static SurrogateKind ParseKind(string text, string option = "--surrogate") => text switch
    {
        "fast-sigmoid" => SurrogateKind.FastSigmoid,
        "arctan" => SurrogateKind.Arctan,
        _ => throw new FormatException($"{option} '{text}': expected fast-sigmoid or arctan"),
    };

    /// <summary>The name <see cref="ParseKind"/> reads.</summary>
    public string Name => Kind == SurrogateKind.FastSigmoid ? "fast-sigmoid" : "arctan";

    /// <summary>σ'(x).</summary>
    public T Derivative<T>(T x) where T : IFloatingPointIeee754<T>
    {
        T beta = T.CreateTruncating(Beta), half = T.CreateTruncating(0.5);
        if (Kind == SurrogateKind.FastSigmoid)
        {
            T d = T.One + beta * T.Abs(x);
            return half * beta / (d * d);
        }
        T a = T.CreateTruncating(Math.PI / 2 * Beta) * x;
        return half * beta / (T.One + a * a);
    }

    /// <summary>σ'(x) of every lane: the operations of the scalar <see cref="Derivative{T}(T)"/> in its order, so the same bits.</summary>
    public Vector<T> Derivative<T>(Vector<T> x) where T : IFloatingPointIeee754<T>
    {
        T beta = T.CreateTruncating(Beta), half = T.CreateTruncating(0.5);
        var halfBeta = new Vector<T>(half * beta);
        if (Kind == SurrogateKind.FastSigmoid)
        {
            var d = Vector<T>.One + new Vector<T>(beta) * Vector.Abs(x);
            return halfBeta / (d * d);
        }
        var a = new Vector<T>(T.CreateTruncating(Math.PI / 2 * Beta)) * x;
        return halfBeta / (Vector<T>.One + a * a);
    }

    /// <summary>σ(x), the antiderivative of <see cref="Derivative"/> from 0 to 1.</summary>
    public T Smooth<T>(T x) where T : IFloatingPointIeee754<T>
    {
        T beta = T.CreateTruncating(Beta), half = T.CreateTruncating(0.5);
        if (Kind == SurrogateKind.FastSigmoid)
            return half + half * beta * x / (T.One + beta * T.Abs(x));
        return half + T.Atan(T.CreateTruncating(Math.PI / 2 * Beta) * x) / T.Pi;
    }
}
