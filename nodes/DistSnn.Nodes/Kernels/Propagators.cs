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

    /// <summary>
    /// Membrane response to an alpha-shaped synaptic current (NEST <c>iaf_psc_alpha</c>) with state D (pA/ms; NEST's
    /// dI) and I (pA): D' = −D / tau_s, I' = D − I / tau_s, C_m V' = −C_m V / tau_m + I. Over one step V gains
    /// D(0) P31 + I(0) P32 (mV per pA/ms and mV per pA), with x = h (1/tau_m − 1/tau_s):
    /// P32 = h / C_m exp(−h/tau_m) φ1(x), φ1(x) = (e^x − 1) / x, and
    /// P31 = h² / C_m exp(−h/tau_m) φ2(x), φ2(x) = (x e^x − e^x + 1) / x².
    /// φ1 and φ2 are entire, with φ1(0) = 1 and φ2(0) = 1/2, so tau_s = tau_m (x = 0) needs no special formula: it
    /// gives NEST's singular propagators h / C_m exp(−h/tau_m) and h² / (2 C_m) exp(−h/tau_m). Near x = 0, where the
    /// closed forms cancel, both are summed as power series, so the result is accurate to round-off for every pair of
    /// time constants instead of switching to the singular form within some distance of it.
    /// </summary>
    public static (double P31, double P32) AlphaSynapseOnMembrane(double h, double tauM, double tauS, double cM)
    {
        double x = h * (1 / tauM - 1 / tauS);
        double decayM = Math.Exp(-h / tauM);
        if (Math.Abs(x) < 0.5)
        {
            // Sum x^k / (k+1)! and x^k / (k! (k+2)); at |x| < 0.5 the terms fall below 1e-17 of the sum by k = 16.
            double term = 1, phi1 = 0, phi2 = 0;
            for (int k = 0; k < 24; k++)
            {
                phi1 += term / (k + 1);
                phi2 += term / (k + 2);
                term *= x / (k + 1);
            }
            return (h * h / cM * decayM * phi2, h / cM * decayM * phi1);
        }
        // exp(−h/tau_m) e^x is exp(−h/tau_s): written with the two decays, the closed forms cannot overflow, and at
        // |x| >= 0.5 the two decays differ by a factor of at least 1.6, so their differences lose at most a digit.
        double decayS = Math.Exp(-h / tauS);
        return (h * h / cM * ((x - 1) * decayS + decayM) / (x * x), h / cM * (decayS - decayM) / x);
    }
}
