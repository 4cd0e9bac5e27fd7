#!/usr/bin/env python3
"""Per-population statistics of a microcircuit run (examples/microcircuit.yaml): rates, CV ISI, pairwise correlations.

    python3 bench/microcircuit_stats.py RESULTS_DIR [--discard 500] [--json]

Reads RESULTS_DIR/spikes.h5 (SONATA spikes, node ids per population) and RESULTS_DIR/summary.json (population sizes,
duration). Spikes before --discard ms (the initial transient) are left out. CV ISI: mean over the neurons with at
least 5 spikes. Correlation: mean Pearson coefficient of spike counts in 2 ms bins over all pairs of 200 neurons
of the population drawn with a fixed seed (silent ones left out). Rates are compared with the full-scale model's
rates under Poisson drive in NEST's Potjans_2014 example.
"""
import argparse
import json
import os

import h5py
import numpy as np

NEST_RATES = {"L23e": 0.971, "L23i": 2.868, "L4e": 4.746, "L4i": 5.396, "L5e": 8.142, "L5i": 9.078, "L6e": 0.991, "L6i": 7.523}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--discard", type=float, default=500.0, help="ms left out at the start")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with open(os.path.join(args.results, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    sizes = {name: p["size"] for name, p in summary["populations"].items()}
    t_end = summary["duration_ms"]
    t0 = args.discard
    rng = np.random.default_rng(12345)
    rows = []
    with h5py.File(os.path.join(args.results, "spikes.h5"), "r") as f:
        for name, size in sizes.items():
            if name not in f["spikes"]:
                continue
            times = f["spikes"][name]["timestamps"][:]
            ids = f["spikes"][name]["node_ids"][:]
            keep = times >= t0
            times, ids = times[keep], ids[keep]
            rate = len(times) / (size * (t_end - t0) * 1e-3)
            order = np.lexsort((times, ids))
            times, ids = times[order], ids[order]
            starts = np.searchsorted(ids, np.arange(size))
            ends = np.searchsorted(ids, np.arange(size), side="right")
            cvs = []
            for n in range(size):
                t = times[starts[n]:ends[n]]
                if len(t) >= 5:
                    isi = np.diff(t)
                    cvs.append(isi.std() / isi.mean())
            chosen = rng.choice(size, size=min(200, size), replace=False)
            bins = np.arange(t0, t_end + 2.0, 2.0)
            counts = np.array([np.histogram(times[starts[n]:ends[n]], bins)[0] for n in chosen], dtype=float)
            counts = counts[counts.std(axis=1) > 0]
            if len(counts) >= 2:
                c = np.corrcoef(counts)
                corr = c[np.triu_indices(len(counts), 1)].mean()
            else:
                corr = float("nan")
            rows.append({"population": name, "rate_hz": rate, "nest_rate_hz": NEST_RATES.get(name),
                         "rate_ratio": rate / NEST_RATES[name] if name in NEST_RATES else None,
                         "cv_isi": float(np.mean(cvs)) if cvs else float("nan"), "cv_neurons": len(cvs),
                         "correlation": float(corr), "correlation_neurons": int(len(counts))})
    if args.json:
        print(json.dumps({"discard_ms": t0, "end_ms": t_end, "populations": rows}, indent=2))
        return
    print(f"spikes from {t0:g} to {t_end:g} ms")
    print(f"{'population':>10} {'rate Hz':>8} {'NEST Hz':>8} {'ratio':>6} {'CV ISI':>7} {'corr (2 ms)':>11}")
    for r in rows:
        print(f"{r['population']:>10} {r['rate_hz']:8.3f} {r['nest_rate_hz']:8.3f} {r['rate_ratio']:6.2f} {r['cv_isi']:7.3f} {r['correlation']:11.5f}")


if __name__ == "__main__":
    main()
