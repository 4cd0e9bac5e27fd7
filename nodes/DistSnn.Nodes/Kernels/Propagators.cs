namespace DistSnn.Nodes.Kernels;

/// <summary>
/// Exact propagators of the linear subthreshold dynamics over one step h, computed once in double precision
/// (NEST's "exact integration", Rotter &amp; Diesmann 1999). All times in ms, capacitance in pF, currents in pA,
/// voltages in mV.
/// </summary>
public static class Propagators
{
    /// <summary>exp(-h/tau): decay of the membrane or of an exponential synaptic variable over one step.</summary>
    public static double Decay(double h, double tau) => Math.Exp(-h / tau);

    /// <summary>
    /// Membrane response to a constant current I (pA) over one step: V gains I * P20 with
    /// P20 = tau_m / C_m * (1 - exp(-h / tau_m)) (mV per pA).
    /// </summary>
    public static double ConstantCurrent(double h, double tauM, double cM) => -tauM / cM * FastMath.ExpM1(-h / tauM);

    /// <summary>
    /// Membrane response to an exponentially decaying synaptic variable kept in voltage units (current times
    /// membrane resistance), with dV/dt = (-(V - E_L) + y) / tau_m and dy/dt = -y / tau_s: V gains y(0) * P21 over
    /// one step, P21 = tau_s / (tau_s - tau_m) * (exp(-h/tau_s) - exp(-h/tau_m)); the limit h/tau_m exp(-h/tau_m)
    /// where the two time constants (nearly) coincide, where the closed form loses all precision.
    /// </summary>
    public static double ExpSynapseOnMembrane(double h, double tauM, double tauS)
    {
        double diff = tauS - tauM;
        if (Math.Abs(diff) < 1e-6 * tauM)
            return h / tauM * Math.Exp(-h / tauM);
        // exp(-h/ts) - exp(-h/tm) = exp(-h/tm) * expm1(h/tm - h/ts), free of cancellation.
        return tauS / diff * Math.Exp(-h / tauM) * FastMath.ExpM1(h * diff / (tauM * tauS));
    }
}
