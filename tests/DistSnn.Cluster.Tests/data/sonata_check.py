#!/usr/bin/env python3
"""Reads SONATA files the way the SONATA specification describes them, with h5py and numpy only (no DistSnn code),
and prints what it found as JSON, for the tests to compare with what DistSnn meant to write.

    sonata_check.py network SIMULATION_CONFIG   node and edge populations, edge checksums, spike inputs
    sonata_check.py sorting SPIKES_FILE         the 'sorting' attribute of every population of a spikes file

An edge population's checksum is the SHA-256 of its edges in file order, each edge 32 bytes: source node id and
target node id (uint64), syn_weight and delay (float64), all little-endian.
"""
import csv
import hashlib
import json
import os
import re
import sys

import h5py
import numpy as np


def resolve(path, manifest):
    """Replaces $VARIABLES (or ${VARIABLES}) by their manifest values."""
    for _ in range(10):
        new = re.sub(r"\$\{?(\w+)\}?", lambda m: manifest.get("$" + m.group(1), m.group(0)), path)
        if new == path:
            return path
        path = new
    return path


def load_config(path):
    """A config with its manifest applied: '.' is the folder of the config file."""
    base = os.path.dirname(os.path.abspath(path))
    with open(path) as f:
        config = json.load(f)
    manifest = {}
    for key, value in config.get("manifest", {}).items():
        value = resolve(value, manifest)
        manifest[key] = os.path.normpath(os.path.join(base, value))
    return config, manifest, base


def read_types(path, id_column):
    """A space-separated SONATA type table: id -> row."""
    if not path or not os.path.exists(path):
        return {}
    with open(path) as f:
        rows = list(csv.DictReader(f, delimiter=" "))
    return {int(r[id_column]): r for r in rows}


def population_order(entry, group):
    # The circuit config's 'populations' mapping lists them in order; the HDF5 file alone lists them alphabetically.
    return list(entry["populations"].keys()) if entry.get("populations") else list(group.keys())


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def per_edge(group, name, types, type_ids, type_column):
    """An edge attribute: from each edge's group (edge_group_id / edge_group_index), else from its edge type."""
    group_ids = group["edge_group_id"][...]
    group_index = group["edge_group_index"][...]
    values = np.full(len(group_ids), np.nan)
    for gid in np.unique(group_ids):
        sel = group_ids == gid
        attrs = group[str(gid)]
        if name in attrs:
            values[sel] = attrs[name][...][group_index[sel]]
        else:
            values[sel] = [float(types[int(t)][type_column]) for t in type_ids[sel]]
    return values


def network(sim_path):
    sim, sim_manifest, sim_base = load_config(sim_path)
    circuit_path = resolve(sim.get("network", "circuit_config.json"), sim_manifest)
    circuit_path = os.path.join(sim_base, circuit_path)
    circuit, manifest, _ = load_config(circuit_path)
    out = {"nodes": [], "edges": [], "spike_inputs": []}

    sizes = {}
    for entry in circuit["networks"]["nodes"]:
        types = read_types(resolve(entry.get("node_types_file", ""), manifest), "node_type_id")
        with h5py.File(resolve(entry["nodes_file"], manifest), "r") as f:
            for pop in population_order(entry, f["nodes"]):
                g = f["nodes"][pop]
                type_ids = g["node_type_id"][...]
                n = len(type_ids)
                node_ids = g["node_id"][...] if "node_id" in g else np.arange(n)
                assert np.array_equal(node_ids, np.arange(n)), f"{pop}: node ids are not 0..N-1"
                for t in np.unique(type_ids):
                    assert int(t) in types, f"{pop}: node type {t} not in the node types table"
                params = []
                for gid in np.unique(g["node_group_id"][...]):
                    dyn = g[str(gid)].get("dynamics_params")
                    if dyn is not None:
                        for name, ds in dyn.items():
                            assert ds.dtype == np.float64 and len(ds) == n, f"{pop}: dynamics_params/{name}"
                            params.append(name)
                sizes[pop] = n
                out["nodes"].append({
                    "population": pop,
                    "count": n,
                    "node_type_ids": sorted(int(t) for t in np.unique(type_ids)),
                    "model_types": sorted({types[int(t)]["model_type"] for t in np.unique(type_ids)}),
                    "dynamics_params": sorted(params),
                })

    record = np.dtype([("s", "<u8"), ("t", "<u8"), ("w", "<f8"), ("d", "<f8")])
    for entry in circuit["networks"]["edges"]:
        types = read_types(resolve(entry.get("edge_types_file", ""), manifest), "edge_type_id")
        with h5py.File(resolve(entry["edges_file"], manifest), "r") as f:
            for pop in population_order(entry, f["edges"]):
                g = f["edges"][pop]
                source = g["source_node_id"][...]
                target = g["target_node_id"][...]
                src_pop = text(g["source_node_id"].attrs["node_population"])
                tgt_pop = text(g["target_node_id"].attrs["node_population"])
                assert source.dtype == np.uint64 and target.dtype == np.uint64, f"{pop}: node ids are not uint64"
                assert len(source) == 0 or source.max() < sizes[src_pop], f"{pop}: source id beyond {src_pop}"
                assert len(target) == 0 or target.max() < sizes[tgt_pop], f"{pop}: target id beyond {tgt_pop}"
                type_ids = g["edge_type_id"][...]
                for t in np.unique(type_ids):
                    assert int(t) in types, f"{pop}: edge type {t} not in the edge types table"
                rows = np.empty(len(source), dtype=record)
                rows["s"] = source
                rows["t"] = target
                rows["w"] = per_edge(g, "syn_weight", types, type_ids, "syn_weight")
                rows["d"] = per_edge(g, "delay", types, type_ids, "delay")
                out["edges"].append({
                    "population": pop,
                    "source": src_pop,
                    "target": tgt_pop,
                    "count": int(len(source)),
                    "edge_type_ids": sorted(int(t) for t in np.unique(type_ids)),
                    "sha256": hashlib.sha256(rows.tobytes()).hexdigest(),
                })

    for name, item in sim.get("inputs", {}).items():
        if item.get("input_type") != "spikes":
            continue
        path = resolve(item["input_file"], sim_manifest)
        with h5py.File(path, "r") as f:
            for pop, g in f["spikes"].items():
                times = g["timestamps"][...]
                nodes = g["node_ids"][...]
                out["spike_inputs"].append({
                    "input": name,
                    "population": pop,
                    "count": int(len(times)),
                    "sorting": sorting_of(g)["name"],
                    "times": [float(t) for t in times],
                    "node_ids": [int(i) for i in nodes],
                })
    return out


def sorting_of(group):
    attr = group.attrs.get_id("sorting")
    members = h5py.check_enum_dtype(attr.dtype)
    value = int(group.attrs["sorting"])
    base = attr.get_type().get_super()
    return {
        "enum": {k: int(v) for k, v in members.items()} if members is not None else None,
        "base_size": base.get_size() if members is not None else None,
        "base_signed": bool(base.get_sign()) if members is not None else None,
        "value": value,
        "name": next((k for k, v in (members or {}).items() if v == value), None),
    }


def sorting(path):
    with h5py.File(path, "r") as f:
        return [dict(population=pop, **sorting_of(g)) for pop, g in f["spikes"].items()]


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    result = network(path) if mode == "network" else sorting(path)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
