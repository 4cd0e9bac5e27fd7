#!/usr/bin/env python3
"""Writes the Potjans & Diesmann (2014) cortical microcircuit as DistSnn model files.

    python3 examples/microcircuit.py            # writes microcircuit.yaml, microcircuit_dc.yaml, microcircuit_small.yaml

Parameters are the paper's (Table 5) as NEST's Potjans_2014 example states them: population sizes, connection
probabilities, 0.15 mV mean PSP (87.81 pA for tau_m 10 ms, tau_syn 0.5 ms, C_m 250 pF), g = -4, the L4e -> L2/3e
weight doubled, delays 1.5 ms (exc) / 0.75 ms (inh) with a relative spread of 0.5, K_ext background inputs at 8 Hz,
and the population-specific ("optimized") initial membrane potentials.
"""
import math
import os

POPS = ["L23e", "L23i", "L4e", "L4i", "L5e", "L5i", "L6e", "L6i"]
N_FULL = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
# conn_probs[target][source]
C = [
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443],
]
K_EXT = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
V0_MEAN = [-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43]  # mV, "optimized" initial state
V0_SD = [5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48]
# Rates of the full-scale model under Poisson drive (NEST's example), used only to compensate a scaled-down model.
FULL_RATES = [0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523]
BG_RATE = 8.0  # Hz
TAU_M, TAU_SYN, C_M = 10.0, 0.5, 250.0
PSP_E, G, REL_SD_W, REL_SD_D = 0.15, -4.0, 0.1, 0.5


def psc_from_psp(psp_mv):
    """The current amplitude (pA) of an exponential synapse whose PSP peaks at psp_mv (iaf_psc_exp)."""
    a = TAU_SYN / TAU_M
    t_max = TAU_M * TAU_SYN / (TAU_M - TAU_SYN) * math.log(1 / a)
    # V(t) = w tau_syn tau_m / (C_m (tau_m - tau_syn)) (e^{-t/tau_m} - e^{-t/tau_syn})
    peak = TAU_SYN * TAU_M / (C_M * (TAU_M - TAU_SYN)) * (math.exp(-t_max / TAU_M) - math.exp(-t_max / TAU_SYN))
    return psp_mv / peak


W_E = psc_from_psp(PSP_E)


def weight(t, s):
    w = W_E * (G if s % 2 == 1 else 1.0)
    return 2 * w if (t, s) == (0, 2) else w


def synapses(t, s, n):
    """Total synapses of a projection: K = ln(1 - C) / ln(1 - 1 / (N_pre N_post)), with multapses."""
    if C[t][s] == 0:
        return 0
    return round(math.log(1 - C[t][s]) / math.log(1 - 1 / (n[s] * n[t])))


def q(x, unit, digits=3):
    return f"{round(x, digits):g} {unit}"


def write(path, header, n, k_of, w_scale, drive, dc, duration):
    lines = [f"# {h}" if h else "#" for h in header]
    lines += [f"name: {os.path.splitext(os.path.basename(path))[0]}", "run:", "  dt: 0.1 ms", f"  duration: {duration}", "  seed: 55",
              "populations:"]
    for i, p in enumerate(POPS):
        init = f"{{v: \"normal({V0_MEAN[i]} mV, {V0_SD[i]} mV)\"}}"
        if i == 0:
            lines += [f"  - name: {p}", f"    size: {n[i]}", "    model: lif_exp_current", "    parameters: &iaf",
                      "      tau_m: 10 ms", "      c_m: 250 pF", "      e_l: -65 mV", "      v_th: -50 mV", "      v_reset: -65 mV",
                      "      t_ref: 2 ms", "      tau_syn_exc: 0.5 ms", "      tau_syn_inh: 0.5 ms", f"    initial: {init}"]
        else:
            lines.append(f"  - {{name: {p}, size: {n[i]}, model: lif_exp_current, parameters: *iaf, initial: {init}}}")
    lines.append("projections:")
    for t in range(8):
        for s in range(8):
            k = k_of(t, s)
            if k == 0:
                continue
            w = weight(t, s) * w_scale
            d = 1.5 if s % 2 == 0 else 0.75
            lines.append(f"  - {{source: {POPS[s]}, target: {POPS[t]}, connector: {{type: fixed_total_number, n: {k}}}, "
                         f"weight: normal({q(w, 'pA')}, {q(abs(w) * REL_SD_W, 'pA')}), delay: normal({d} ms, {d * REL_SD_D} ms), "
                         f"receptor: {'exc' if s % 2 == 0 else 'inh'}}}")
    if drive == "poisson":
        lines.append("poisson_inputs:")
        for i, p in enumerate(POPS):
            lines.append(f"  - {{target: {p}, sources: {drive_sources(i, k_of)}, rate: 8 Hz, weight: {q(W_E * w_scale, 'pA')}, receptor: exc}}")
    if any(a != 0 for a in dc):
        lines.append("currents:")
        for i, p in enumerate(POPS):
            lines.append(f"  - {{type: dc, target: {p}, amplitude: {q(dc[i], 'pA')}}}")
    lines += ["record:", "  spikes: all", ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def drive_sources(i, k_of):
    return K_EXT_SCALED[i] if k_of is not full_k else K_EXT[i]


def full_k(t, s):
    return synapses(t, s, N_FULL)


K_EXT_SCALED = K_EXT


def main():
    global K_EXT_SCALED
    here = os.path.dirname(os.path.abspath(__file__))
    common = [
        "Potjans & Diesmann (2014) cortical microcircuit: four layers (L2/3, L4, L5, L6) with an excitatory and an inhibitory",
        "population each, iaf_psc_exp neurons (lif_exp_current: C_m 250 pF, tau_m 10 ms, tau_syn 0.5 ms, t_ref 2 ms, E_L = V_reset",
        "-65 mV, V_th -50 mV). Each projection has K = round(ln(1 - C) / ln(1 - 1 / (N_pre N_post))) synapses drawn with multapses",
        "(fixed_total_number) from the paper's connection probabilities C. Weights normal, mean 87.81 pA (a 0.15 mV PSP), relative",
        "sd 0.1, doubled from L4e to L2/3e, g = -4 for inhibition; delays normal, 1.5 ms (exc) and 0.75 ms (inh), relative sd 0.5,",
        "draws below dt redrawn. Initial potentials: the population-specific normal distributions of NEST's Potjans_2014 example",
        "('optimized'). Written by examples/microcircuit.py.",
    ]
    dc_full = [K_EXT[i] * BG_RATE * W_E * TAU_SYN * 1e-3 for i in range(8)]
    write(os.path.join(here, "microcircuit.yaml"),
          common + ["Full scale: 77,169 neurons, about 0.3 billion synapses; background: K_ext Poisson inputs at 8 Hz per neuron."],
          N_FULL, full_k, 1.0, "poisson", [0.0] * 8, "10500 ms")
    write(os.path.join(here, "microcircuit_dc.yaml"),
          common + ["Full scale with the DC alternative to the background: K_ext * 8 Hz * w * tau_syn per neuron."],
          N_FULL, full_k, 1.0, "dc", dc_full, "1000 ms")

    # Scaled down, as NEST's example does: N and the in-degrees K times 0.1, weights / sqrt(K scaling), and the mean input
    # the missing synapses carried (at the full model's rates) given as DC.
    n_scale = k_scale = 0.1
    n_small = [round(n * n_scale) for n in N_FULL]
    K_EXT_SCALED = [round(k * k_scale) for k in K_EXT]

    def small_k(t, s):
        return round(full_k(t, s) * n_scale * k_scale)

    dc_small = []
    for t in range(8):
        rec = sum(weight(t, s) * full_k(t, s) / N_FULL[t] * FULL_RATES[s] for s in range(8))
        ext = W_E * K_EXT[t] * BG_RATE
        dc_small.append(1e-3 * TAU_SYN * (1 - math.sqrt(k_scale)) * (rec + ext))
    write(os.path.join(here, "microcircuit_small.yaml"),
          common + ["Scaled down for quick runs: N and K times 0.1 (7,717 neurons, about 3 million synapses), weights / sqrt(0.1), and a DC",
                     "current per population carrying the mean input of the missing synapses at the full model's rates (as NEST's",
                     "example compensates); background K_ext * 0.1 Poisson inputs at 8 Hz."],
          n_small, small_k, 1 / math.sqrt(k_scale), "poisson", dc_small, "1000 ms")


if __name__ == "__main__":
    main()
