using System.Numerics;
using System.Runtime.CompilerServices;

namespace DistSnn.Nodes.Kernels;

/// <summary>
/// The adaptive threshold of the LIF groups (Diehl &amp; Cook 2015): the effective threshold is V_th + theta,
/// theta decays as theta · exp(-h / tau_theta) in every step (refractory or not) and grows by theta_plus at each
/// spike. Within the update of step u, theta is decayed first, so that V and the threshold it is tested against
/// are both values at the end of the step (the spike's stamp u+1); the increment is added after the test.
/// <para>
/// theta is carried as a pair of floats, <c>theta = Theta + Residual</c> with |Residual| at most half an ulp of
/// Theta, and advanced in double precision. A float alone cannot follow the decay: with the default tau_theta of
/// 1e7 ms and h = 0.1 ms one step changes theta by 1e-8 of itself, below float resolution, so a float theta would
/// never decay, and a float propagator alone is off by up to 3e-8 per step, which compounds over thousands of
/// steps. <c>Theta</c> is the state variable (recorded, initialised); <c>Residual</c> starts at 0.
/// </para>
/// <para>
/// The vector and scalar forms below perform the same IEEE operations in the same order, so every lane gives the
/// bits the scalar form gives. A vector whose Theta and Residual are all +0 is skipped: the decay would leave it
/// +0 and the threshold would be V_th + 0 = V_th, so skipping changes no bit, and groups without adaptation pay one
/// test per vector.
/// </para>
/// </summary>
internal static class AdaptiveThreshold
{
    /// <summary>
    /// Decays one vector of theta in place and returns the threshold V_th + Theta of its lanes for this step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> DecayAndThreshold(ref Vector<float> theta, ref Vector<float> residual,
        Vector<double> decay, Vector<float> vth)
    {
        if (Vector.EqualsAll(Vector.AsVectorInt32(theta) | Vector.AsVectorInt32(residual), Vector<int>.Zero))
            return vth;
        Vector.Widen(theta, out var hi0, out var hi1);
        Vector.Widen(residual, out var lo0, out var lo1);
        var t0 = (hi0 + lo0) * decay;
        var t1 = (hi1 + lo1) * decay;
        var rounded = Vector.Narrow(t0, t1);
        Vector.Widen(rounded, out var r0, out var r1);
        residual = Vector.Narrow(t0 - r0, t1 - r1);
        theta = rounded;
        return vth + rounded;
    }

    /// <summary>Adds theta_plus to one neuron's theta after it spiked (nothing to do when theta_plus is 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddIncrement(ref float theta, ref float residual, double thetaPlus)
    {
        if (thetaPlus == 0) return;
        double t = (double)theta + residual + thetaPlus;
        float rounded = (float)t;
        residual = (float)(t - rounded);
        theta = rounded;
    }
}
