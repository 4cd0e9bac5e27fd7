using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// The exact-integration propagators against a fine fourth-order Runge-Kutta integration of the ODE they solve,
/// in double precision, over one step, and the alpha propagators against NEST's singular and regular forms.
/// </summary>
public class PropagatorTests
{
    private const double RkStep = 1e-5; // ms

    /// <summary>Integrates y' = f(y) from y0 over h with classical RK4 on a grid of <see cref="RkStep"/>.</summary>
    private static double[] Rk4(Func<double[], double[]> f, double[] y0, double h)
    {
        int n = (int)Math.Round(h / RkStep);
        double s = h / n;
        var y = (double[])y0.Clone();
        int d = y.Length;
        var tmp = new double[d];
        for (int k = 0; k < n; k++)
        {
            var k1 = f(y);
            for (int i = 0; i < d; i++) tmp[i] = y[i] + s / 2 * k1[i];
            var k2 = f(tmp);
            for (int i = 0; i < d; i++) tmp[i] = y[i] + s / 2 * k2[i];
            var k3 = f(tmp);
            for (int i = 0; i < d; i++) tmp[i] = y[i] + s * k3[i];
            var k4 = f(tmp);
            for (int i = 0; i < d; i++) y[i] += s / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        }
        return y;
    }

    private static void AssertRelative(double expected, double actual, double tol, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tol * Math.Abs(expected),
            $"{what}: expected {expected:R}, got {actual:R} (relative error {Math.Abs(actual - expected) / Math.Abs(expected):E2})");

    [Theory]
    [InlineData(0.1, 10.0)]
    [InlineData(0.1, 2.0)]
    [InlineData(0.1, 0.2)]
    [InlineData(1.0, 20.0)]
    [InlineData(0.05, 144.0)]
    public void DecayMatchesIntegratedOde(double h, double tau)
    {
        // y' = -y / tau, y(0) = 1.
        double y = Rk4(v => [-v[0] / tau], [1.0], h)[0];
        AssertRelative(y, Propagators.Decay(h, tau), 1e-6, $"Decay({h}, {tau})");
    }

    [Theory]
    [InlineData(0.1, 10.0, 250.0)]
    [InlineData(0.1, 20.0, 250.0)]
    [InlineData(1.0, 5.0, 200.0)]
    [InlineData(0.01, 1000.0, 100.0)]
    public void ConstantCurrentMatchesIntegratedOde(double h, double tauM, double cM)
    {
        // C dV/dt = -C/tau (V - E_L) + I with V(0) = E_L = 0, I = 1 pA: V(h) is the response per pA.
        double v = Rk4(s => [-s[0] / tauM + 1.0 / cM], [0.0], h)[0];
        AssertRelative(v, Propagators.ConstantCurrent(h, tauM, cM), 1e-6, $"ConstantCurrent({h}, {tauM}, {cM})");
    }

    public static TheoryData<double, double, double> SynapseCases => new()
    {
        { 0.1, 10.0, 2.0 },
        { 0.1, 10.0, 5.0 },
        { 0.1, 20.0, 0.5 },
        { 1.0, 10.0, 2.0 },
        { 0.1, 2.0, 10.0 },          // tau_s > tau_m
        { 0.1, 10.0, 10.0 },         // equal: the limit branch
        { 1.0, 5.0, 5.0 },
        { 0.1, 10.0, 10.0 * (1 + 1e-9) },
        { 0.1, 10.0, 10.0 * (1 - 5e-7) }, // inside the limit branch's window
        { 1.0, 1.0, 1.0 * (1 + 9e-7) },   // limit branch with h/tau_m = 1: its own error is about 4.5e-7
        { 0.1, 10.0, 10.0 * (1 + 2e-6) }, // just outside the window: closed form with expm1
        { 0.1, 10.0, 10.0 * (1 - 1e-5) },
        { 0.1, 10.0, 10.0 * (1 + 1e-3) },
    };

    [Theory, MemberData(nameof(SynapseCases))]
    public void ExpSynapseOnMembraneMatchesIntegratedOde(double h, double tauM, double tauS)
    {
        // tau_m V' = -V + y, y' = -y / tau_s with V(0) = 0, y(0) = 1: V(h) is P21.
        double v = Rk4(s => [(-s[0] + s[1]) / tauM, -s[1] / tauS], [0.0, 1.0], h)[0];
        AssertRelative(v, Propagators.ExpSynapseOnMembrane(h, tauM, tauS), 1e-6, $"ExpSynapseOnMembrane({h}, {tauM}, {tauS})");
    }

    [Theory]
    [InlineData(0.1, 10.0, 2.0)]
    [InlineData(0.1, 10.0, 10.00002)]
    [InlineData(0.1, 3.0, 9.0)]
    public void ClosedFormBranchIsExactToRoundOff(double h, double tauM, double tauS)
    {
        // Away from the limit branch the propagator is the exact solution; only round-off separates it from RK4.
        double v = Rk4(s => [(-s[0] + s[1]) / tauM, -s[1] / tauS], [0.0, 1.0], h)[0];
        AssertRelative(v, Propagators.ExpSynapseOnMembrane(h, tauM, tauS), 1e-10, "closed form");
    }

    [Fact]
    public void SynapsePropagatorIsContinuousAcrossTheLimitBranchBoundary()
    {
        // Values on both sides of |tau_s - tau_m| = 1e-6 tau_m must agree to the limit's own accuracy.
        double inside = Propagators.ExpSynapseOnMembrane(0.1, 10, 10 * (1 + 0.999e-6));
        double outside = Propagators.ExpSynapseOnMembrane(0.1, 10, 10 * (1 + 1.001e-6));
        AssertRelative(outside, inside, 1e-7, "across the boundary");
    }

    public static TheoryData<double, double, double> AlphaCases => new()
    {
        { 0.1, 10.0, 2.0 },
        { 0.1, 10.0, 0.5 },
        { 0.1, 2.0, 10.0 },              // tau_s > tau_m
        { 1.0, 10.0, 2.0 },
        { 0.1, 10.0, 10.0 },             // equal: NEST's singular case
        { 1.0, 5.0, 5.0 },
        { 0.1, 10.0, 10.0 * (1 + 1e-9) },
        { 0.1, 10.0, 10.0 * (1 - 1e-5) },
        { 1.0, 1.0, 2.0 },               // x = h (1/tau_m - 1/tau_s) = 0.5: the series' edge
        { 1.0, 1.0, 2.0 / 3.0 },         // x = -0.5
        { 0.25, 0.1, 3.0 },              // x = 2.4
        { 0.1, 30.0, 0.05 },             // x = -2
    };

    [Theory, MemberData(nameof(AlphaCases))]
    public void AlphaSynapseOnMembraneMatchesIntegratedOde(double h, double tauM, double tauS)
    {
        // D' = -D / tau_s, I' = D - I / tau_s, V' = -V / tau_m + I / C from (D, I, V) = (1, 0, 0) gives P31, from
        // (0, 1, 0) P32. The propagators are exact for every pair of time constants: only round-off separates them.
        const double cM = 250;
        double[] F(double[] s) => [-s[0] / tauS, s[0] - s[1] / tauS, -s[2] / tauM + s[1] / cM];
        double p31 = Rk4(F, [1.0, 0.0, 0.0], h)[2], p32 = Rk4(F, [0.0, 1.0, 0.0], h)[2];
        var (a31, a32) = Propagators.AlphaSynapseOnMembrane(h, tauM, tauS, cM);
        AssertRelative(p31, a31, 1e-10, $"P31({h}, {tauM}, {tauS})");
        AssertRelative(p32, a32, 1e-10, $"P32({h}, {tauM}, {tauS})");
    }

    [Theory]
    [InlineData(0.1, 10.0)]
    [InlineData(1.0, 3.0)]
    public void AlphaPropagatorsAtEqualTimeConstantsAreNestsSingularForms(double h, double tau)
    {
        const double cM = 200;
        var (p31, p32) = Propagators.AlphaSynapseOnMembrane(h, tau, tau, cM);
        AssertRelative(h * h / (2 * cM) * Math.Exp(-h / tau), p31, 1e-15, "P31");
        AssertRelative(h / cM * Math.Exp(-h / tau), p32, 1e-15, "P32");
    }

    [Theory]
    [InlineData(0.1, 10.0, 2.0)]
    [InlineData(0.1, 20.0, 0.5)]
    [InlineData(1.0, 2.0, 10.0)]
    public void AlphaPropagatorsAwayFromTheSingularityAreNestsRegularForms(double h, double tauM, double tauS)
    {
        // NEST's iaf_psc_alpha: beta = tau_s tau_m / (tau_m - tau_s), gamma = beta / C,
        // P32 = gamma exp(-h/tau_s) expm1(h/beta), P31 = gamma exp(-h/tau_s) (beta expm1(h/beta) - h).
        const double cM = 250;
        double beta = tauS * tauM / (tauM - tauS), gamma = beta / cM;
        double em1 = FastMath.ExpM1(h / beta);
        var (p31, p32) = Propagators.AlphaSynapseOnMembrane(h, tauM, tauS, cM);
        AssertRelative(gamma * Math.Exp(-h / tauS) * (beta * em1 - h), p31, 1e-12, "P31");
        AssertRelative(gamma * Math.Exp(-h / tauS) * em1, p32, 1e-12, "P32");
    }

    [Fact]
    public void AlphaPropagatorsAreContinuousWhereTheSeriesGivesWayToTheClosedForm()
    {
        // |x| = 0.5 with h = tau_m = 1: tau_s = 2 (x = 0.5) and tau_s = 2/3 (x = -0.5).
        foreach (double tauS in new[] { 2.0, 2.0 / 3.0 })
        {
            var below = Propagators.AlphaSynapseOnMembrane(1, 1, tauS * (1 - 1e-12), 250);
            var above = Propagators.AlphaSynapseOnMembrane(1, 1, tauS * (1 + 1e-12), 250);
            AssertRelative(below.P31, above.P31, 1e-11, $"P31 across x = ±0.5 (tau_s {tauS})");
            AssertRelative(below.P32, above.P32, 1e-11, $"P32 across x = ±0.5 (tau_s {tauS})");
        }
    }
}
