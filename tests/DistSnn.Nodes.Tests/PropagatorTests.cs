using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// The exact-integration propagators against a fine fourth-order Runge-Kutta integration of the ODE they solve,
/// in double precision, over one step.
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
}
