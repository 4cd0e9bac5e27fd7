#!/bin/bash
# Runs one model with default outputs (plots and report) under several DistSnn builds alternately, N rounds, and
# prints per run: whole-process wall and peak resident size (/usr/bin/time), the plots' time and share of the wall,
# simulate seconds, recurrent synaptic events per second per partition, and the spikes' hash.
#
# usage: bench/side_by_side.sh N MODEL.yaml DISTSNN_DIR [DISTSNN_DIR ...]
#   e.g. bench/side_by_side.sh 5 examples/brunel.yaml ~/distsnn-before ~/distsnn-after
set -euo pipefail
if [ $# -lt 3 ]; then sed -n 2,7p "$0"; exit 2; fi
rounds=$1; model=$2; shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for _ in $(seq 1 "$rounds"); do
  for build in "$@"; do
    out="$work/out"
    rm -rf "$out"
    /usr/bin/time -o "$work/time" -f "%e %M" "$build/distsnn" run "$model" --out "$out" > /dev/null 2> "$work/stderr"
    read -r wall rss < "$work/time"
    plots=$(grep -o "plots [0-9.]* s" "$work/stderr" | awk '{print $2}')
    python3 - "$build" "$wall" "$rss" "${plots:-0}" "$out/summary.json" <<'PY'
import json, sys
build, wall, rss, plots, summary = sys.argv[1:]
s = json.load(open(summary))
per_core = s["synaptic_events"] / s["simulate_seconds"] / s["partitions"] / 1e6
print(f"{build}: wall {float(wall):.2f} s, plots {float(plots):.2f} s ({float(plots) / float(wall):.1%}), "
      f"maxrss {int(rss) / 1024:.0f} MiB, simulate {s['simulate_seconds']:.3f} s, "
      f"{per_core:.0f} M events/s per partition, spikes {s['spikes_sha256'][:12]}")
PY
  done
done
