namespace DistSnn.Nodes.Kernels;

/// <summary>The per-neuron parameters the current-based LIF kernels share: e_l, v_th, v_reset and i_e.</summary>
internal static class LifParameters
{
    /// <summary>
    /// Copies <paramref name="values"/> into the array of parameter <paramref name="name"/>; v starts at e_l, so it
    /// follows a per-neuron e_l. False for a name that is none of the four.
    /// </summary>
    public static bool Set(string name, ReadOnlySpan<float> values, float[] el, float[] vth, float[] vreset, float[] ie, float[] v)
    {
        switch (name)
        {
            case "e_l":
                values.CopyTo(el);
                values.CopyTo(v);
                return true;
            case "v_th": values.CopyTo(vth); return true;
            case "v_reset": values.CopyTo(vreset); return true;
            case "i_e": values.CopyTo(ie); return true;
            default: return false;
        }
    }
}
