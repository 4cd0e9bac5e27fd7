using DistSnn.Model;

namespace DistSnn.Nodes.Random;

/// <summary>Draws values of a <see cref="ValueSpec"/> from counter-based random numbers.</summary>
public static class ValueDraw
{
    /// <summary>The value for element <paramref name="id"/> (counter <paramref name="counter"/>) of a stream.</summary>
    public static double Draw(ValueSpec spec, ulong streamKey, ulong id, ulong counter) => spec switch
    {
        ConstantValue c => c.Value,
        UniformValue u => u.Low + (u.High - u.Low) * CounterRng.Uniform(streamKey, id, counter),
        NormalValue n => n.Mu + n.Sigma * CounterRng.Normal(streamKey, id, counter),
        _ => throw new ArgumentException($"unsupported value spec {spec.GetType().Name}"),
    };
}
