namespace DistSnn.Bench.Scaling;

/// <summary>Ordinary least squares for the component fits.</summary>
public static class Fit
{
    /// <summary>The line <c>y = intercept + slope · x</c> closest to the points in squares.</summary>
    public static (double Intercept, double Slope) Line(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count || x.Count < 2) throw new ArgumentException("a line needs at least two points, as many x as y");
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        if (sxx == 0) throw new ArgumentException("all x are equal");
        double slope = sxy / sxx;
        return (my - slope * mx, slope);
    }

    /// <summary>
    /// The coefficients <c>b</c> of <c>y = b[0] · x[0] + b[1] · x[1] + …</c> closest to the points in squares
    /// (<paramref name="x"/>[i] is point i's regressors; add a column of ones for an intercept).
    /// </summary>
    public static double[] Linear(IReadOnlyList<double[]> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int m = x.Count == 0 ? 0 : x[0].Length;
        if (x.Count != y.Count || x.Count < m || m == 0 || x.Any(r => r.Length != m))
            throw new ArgumentException("needs at least as many points as coefficients, each with the same regressors");
        // Normal equations (XᵀX) b = Xᵀy, solved by Gaussian elimination with partial pivoting; the regressors are
        // scaled to unit size first so that columns of very different magnitude (spikes, events) stay well conditioned.
        var scale = new double[m];
        for (int j = 0; j < m; j++) scale[j] = Math.Max(x.Max(r => Math.Abs(r[j])), double.Epsilon);
        var a = new double[m, m + 1];
        for (int i = 0; i < x.Count; i++)
            for (int j = 0; j < m; j++)
            {
                for (int l = 0; l < m; l++) a[j, l] += x[i][j] / scale[j] * x[i][l] / scale[l];
                a[j, m] += x[i][j] / scale[j] * y[i];
            }
        for (int col = 0; col < m; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < m; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            if (Math.Abs(a[pivot, col]) < 1e-12) throw new ArgumentException("the regressors are (nearly) dependent");
            for (int l = 0; l <= m; l++) (a[col, l], a[pivot, l]) = (a[pivot, l], a[col, l]);
            for (int r = 0; r < m; r++)
            {
                if (r == col) continue;
                double f = a[r, col] / a[col, col];
                for (int l = col; l <= m; l++) a[r, l] -= f * a[col, l];
            }
        }
        var b = new double[m];
        for (int j = 0; j < m; j++) b[j] = a[j, m] / a[j, j] / scale[j];
        return b;
    }
}
