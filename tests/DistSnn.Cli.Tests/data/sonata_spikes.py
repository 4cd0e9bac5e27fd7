"""Reads a SONATA spike file as the specification lays it out, and prints per population: spike count, largest node
id (or -1), whether timestamps are sorted (1/0) and the sorting attribute.

usage: sonata_spikes.py FILE
"""
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1], "r") as f:
    for name, group in f["spikes"].items():
        ts = np.asarray(group["timestamps"])
        ids = np.asarray(group["node_ids"])
        assert len(ts) == len(ids), name
        sorting = group.attrs.get("sorting")
        print(name, len(ts), int(ids.max()) if len(ids) else -1, int(bool(np.all(np.diff(ts) >= 0))), sorting)
