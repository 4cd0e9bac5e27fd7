#!/usr/bin/env python3
"""Rates, CV ISI and population spectra of runs of the four Brunel (2000) states (examples/brunel_*.yaml).

    python3 bench/brunel_states.py sr=DIR ai=DIR si_fast=DIR si_slow=DIR [--discard 100] [--svg FILE]

Each DIR is a results folder (spikes.h5, summary.json). Spikes before --discard ms are left out. The population
activity is the spike count of all neurons in 0.5 ms bins; its spectrum is Welch's average of periodograms over
Hann-windowed segments of 256 ms (half overlapping), reported as the frequency of its largest peak between 5 and
1000 Hz and that peak's power over the spectrum's median (how strongly the population oscillates). --svg writes the
spectra as one figure.
"""
import argparse
import json
import os

import h5py
import numpy as np

BIN_MS = 0.5
SEGMENT_MS = 256.0


def load(results, discard):
    with open(os.path.join(results, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    t_end = summary["duration_ms"]
    times, per_pop = [], {}
    with h5py.File(os.path.join(results, "spikes.h5"), "r") as f:
        for name, pop in summary["populations"].items():
            t = f["spikes"][name]["timestamps"][:]
            ids = f["spikes"][name]["node_ids"][:]
            keep = t >= discard
            times.append(t[keep])
            per_pop[name] = (t[keep], ids[keep], pop["size"])
    return summary, np.concatenate(times), per_pop, t_end


def spectrum(times, t0, t_end):
    counts, _ = np.histogram(times, np.arange(t0, t_end + BIN_MS / 2, BIN_MS))
    x = counts - counts.mean()
    n = int(SEGMENT_MS / BIN_MS)
    window = np.hanning(n)
    segments = [x[s:s + n] * window for s in range(0, len(x) - n + 1, n // 2)]
    psd = np.mean([np.abs(np.fft.rfft(s)) ** 2 for s in segments], axis=0)
    freqs = np.fft.rfftfreq(n, BIN_MS * 1e-3)
    return freqs, psd


def cv_isi(times, ids, size):
    order = np.lexsort((times, ids))
    t, i = times[order], ids[order]
    starts, ends = np.searchsorted(i, np.arange(size)), np.searchsorted(i, np.arange(size), side="right")
    cvs = [np.diff(t[a:b]).std() / np.diff(t[a:b]).mean() for a, b in zip(starts, ends) if b - a >= 5]
    return float(np.mean(cvs)) if cvs else float("nan")


def svg(path, spectra):
    w, h, left, bottom, top, right = 720, 420, 70, 50, 20, 150
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    fmax = 500.0
    lines, lo, hi = [], np.inf, -np.inf
    for _, f, p in spectra:
        band = (f > 0) & (f <= fmax)
        lp = np.log10(p[band] / np.median(p[band]))
        lo, hi = min(lo, lp.min()), max(hi, lp.max())
    for k, (name, f, p) in enumerate(spectra):
        band = (f > 0) & (f <= fmax)
        lp = np.log10(p[band] / np.median(p[band]))
        xs = left + (f[band] / fmax) * (w - left - right)
        ys = top + (hi - lp) / (hi - lo) * (h - top - bottom)
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
        lines.append(f'<polyline fill="none" stroke="{colors[k]}" stroke-width="1.5" points="{pts}"/>')
        lines.append(f'<text x="{w - right + 10}" y="{top + 20 + 22 * k}" fill="{colors[k]}" font-size="14">{name}</text>')
    axes = [f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>',
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="black"/>']
    for fx in range(0, 501, 100):
        x = left + fx / fmax * (w - left - right)
        axes.append(f'<text x="{x:.0f}" y="{h - bottom + 18}" font-size="12" text-anchor="middle">{fx}</text>')
    axes.append(f'<text x="{(left + w - right) / 2:.0f}" y="{h - 10}" font-size="13" text-anchor="middle">frequency (Hz)</text>')
    axes.append(f'<text x="18" y="{(top + h - bottom) / 2:.0f}" font-size="13" text-anchor="middle" '
                f'transform="rotate(-90 18 {(top + h - bottom) / 2:.0f})">log10 power / median</text>')
    with open(path, "w", encoding="utf-8") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif">'
                f'<rect width="{w}" height="{h}" fill="white"/>' + "".join(axes + lines) + "</svg>\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="NAME=RESULTS_DIR")
    parser.add_argument("--discard", type=float, default=100.0)
    parser.add_argument("--svg")
    args = parser.parse_args()
    spectra, rows = [], []
    for run in args.runs:
        name, _, results = run.partition("=")
        summary, times, per_pop, t_end = load(results, args.discard)
        f, p = spectrum(times, args.discard, t_end)
        band = (f >= 5) & (f <= 1000)
        peak = f[band][np.argmax(p[band])]
        strength = p[band].max() / np.median(p[band])
        seconds = (t_end - args.discard) * 1e-3
        rates = {k: len(t) / (size * seconds) for k, (t, _, size) in per_pop.items()}
        cvs = {k: cv_isi(t, i, size) for k, (t, i, size) in per_pop.items()}
        rows.append((name, rates, cvs, peak, strength))
        spectra.append((name, f, p))
    print(f"spikes from {args.discard:g} ms; spectrum of the population's spike count in {BIN_MS} ms bins")
    print(f"{'state':>8} {'exc Hz':>8} {'inh Hz':>8} {'CV exc':>7} {'CV inh':>7} {'peak Hz':>8} {'peak/median':>12}")
    for name, rates, cvs, peak, strength in rows:
        print(f"{name:>8} {rates['exc']:8.2f} {rates['inh']:8.2f} {cvs['exc']:7.3f} {cvs['inh']:7.3f} {peak:8.1f} {strength:12.1f}")
    if args.svg:
        svg(args.svg, spectra)


if __name__ == "__main__":
    main()
