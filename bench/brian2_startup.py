"""Whole-process start-up: `distsnn run` of examples/cuba.yaml and examples/coba.yaml against the compiled binary of
Brian2's C++ standalone mode on the same networks (Brette et al. 2007 benchmarks 2 and 3), run alternately in fresh
processes.

Brian2 builds and compiles each network once (not timed); then its binary is run, which simulates and writes its
monitors' arrays (spikes, and v/ge/gi of neurons 0-2 as DistSnn's example records). DistSnn is run as built or
published (ReadyToRun: see docs/running.md); with --no-plots (spikes.h5, state.h5 and summary.json written and
closed when the process exits) and with its default outputs (plots too).

Needs Debian's python3-brian and g++.

usage: /usr/bin/python3 bench/brian2_startup.py DISTSNN [--runs 7] [--work DIR] [--json FILE]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def build_brian(model, directory):
    import brian2 as b2
    from brian2 import ms, mV, nS, pF, second

    b2.set_device("cpp_standalone", directory=directory, build_on_run=False)
    b2.defaultclock.dt = 0.1 * ms
    b2.seed(12345)
    if model == "cuba":
        eqs = """dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
                 dge/dt = -ge / taue : volt
                 dgi/dt = -gi / taui : volt"""
        ns = dict(taum=20 * ms, taue=5 * ms, taui=10 * ms, El=-49 * mV, Vt=-50 * mV, Vr=-60 * mV)
        P = b2.NeuronGroup(4000, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms, method="exact", namespace=ns)
        P.v = "Vr + rand() * (Vt - Vr)"
        we, wi = (60 * 0.27 / 10) * mV, (-20 * 4.5 / 10) * mV
    else:
        eqs = """dv/dt = (gl * (El - v) + ge * (Ee - v) + gi * (Ei - v)) / C : volt (unless refractory)
                 dge/dt = -ge / taue : siemens
                 dgi/dt = -gi / taui : siemens"""
        ns = dict(C=200 * pF, gl=10 * nS, El=-60 * mV, Ee=0 * mV, Ei=-80 * mV, taue=5 * ms, taui=10 * ms,
                  Vt=-50 * mV, Vr=-60 * mV)
        P = b2.NeuronGroup(4000, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms, method="euler", namespace=ns)
        P.v = "-65*mV + 5*mV*randn()"
        P.ge = "(40 + 15*randn())*nS"
        P.gi = "(200 + 120*randn())*nS"
        we, wi = 6 * nS, 67 * nS
    Ce = b2.Synapses(P, P, on_pre="ge += we", namespace={"we": we})
    Ci = b2.Synapses(P, P, on_pre="gi += wi", namespace={"wi": wi})
    Ce.connect("i < 3200", p=0.02)
    Ci.connect("i >= 3200", p=0.02)
    b2.SpikeMonitor(P)
    b2.StateMonitor(P, ["v", "ge", "gi"], record=[0, 1, 2])
    b2.run(1 * second)
    b2.device.build(directory=directory, compile=True, run=False)
    b2.device.reinit()
    b2.device.activate()


def timed(cmd, cwd=None):
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("distsnn")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--work", default="/tmp/distsnn-brian2-startup")
    ap.add_argument("--json")
    args = ap.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    results = {}
    for model in ("cuba", "coba"):
        bdir = os.path.join(args.work, "brian2-" + model)
        if not os.path.exists(os.path.join(bdir, "main")):
            build_brian(model, bdir)
        yaml = os.path.join(repo, "examples", model + ".yaml")
        out = os.path.join(args.work, "distsnn-" + model)
        samples = {"brian2": [], "distsnn_no_plots": [], "distsnn_default": []}
        for _ in range(args.runs):
            samples["brian2"].append(timed(["./main"], cwd=bdir))
            samples["distsnn_no_plots"].append(timed([args.distsnn, "run", yaml, "--no-plots", "--out", out]))
            samples["distsnn_default"].append(timed([args.distsnn, "run", yaml, "--out", out]))
        med = {k: statistics.median(v) for k, v in samples.items()}
        results[model] = {"median_s": med, "samples_s": samples,
                          "ratio_no_plots": med["distsnn_no_plots"] / med["brian2"],
                          "ratio_default": med["distsnn_default"] / med["brian2"]}
        print(f"{model}: brian2 binary {med['brian2']:.3f} s, distsnn --no-plots {med['distsnn_no_plots']:.3f} s "
              f"({results[model]['ratio_no_plots']:.2f}x), default outputs {med['distsnn_default']:.3f} s "
              f"({results[model]['ratio_default']:.2f}x)", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
