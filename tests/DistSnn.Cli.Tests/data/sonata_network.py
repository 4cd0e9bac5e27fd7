"""Writes a small SONATA point-neuron network the way BMTK and NEST 3 read it, with h5py only.

Written from the SONATA specification, not from DistSnn's exporter: two node populations (a virtual input 'lgn'
and 'v1' with two node types of nest:iaf_psc_alpha sharing the model but not all parameters, plus per-node
dynamics_params), edges with nsyns and signed pA weights given partly per edge and partly per edge type, a spike
input file, a current clamp, node sets and a V_m report. Also writes expected.json: what an importer must find.

usage: sonata_network.py OUTDIR
"""
import json
import os
import sys

import h5py
import numpy as np

out = sys.argv[1]
net = os.path.join(out, "network")
comp = os.path.join(out, "components", "point_neuron_models")
os.makedirs(net, exist_ok=True)
os.makedirs(comp, exist_ok=True)
rng = np.random.default_rng(7)

N_V1, N_EXC, N_LGN = 60, 48, 20
# v1: nodes 0..47 type 101 (excitatory), 48..59 type 102 (inhibitory), interleaved groups to test group indices.
v1_types = np.array([101] * N_EXC + [102] * (N_V1 - N_EXC), dtype=np.uint64)
v1_groups = np.array([i % 2 for i in range(N_V1)], dtype=np.uint32)
v1_group_index = np.zeros(N_V1, dtype=np.uint64)
counts = [0, 0]
for i in range(N_V1):
    v1_group_index[i] = counts[v1_groups[i]]
    counts[v1_groups[i]] += 1
v_m = rng.uniform(-70.0, -55.0, N_V1)
i_e = rng.uniform(250.0, 330.0, N_V1)

with h5py.File(os.path.join(net, "nodes.h5"), "w") as f:
    v1 = f.create_group("nodes/v1")
    v1["node_type_id"] = v1_types
    v1["node_group_id"] = v1_groups
    v1["node_group_index"] = v1_group_index
    for g in (0, 1):
        grp = v1.create_group(str(g))
        members = [i for i in range(N_V1) if v1_groups[i] == g]
        grp["x"] = rng.uniform(0, 100, len(members))  # a position: not a dynamics parameter
        dyn = grp.create_group("dynamics_params")
        dyn["V_m"] = v_m[members]
        dyn["I_e"] = i_e[members].astype(np.float32)
    lgn = f.create_group("nodes/lgn")
    lgn["node_type_id"] = np.full(N_LGN, 200, dtype=np.uint64)
    lgn["node_group_id"] = np.zeros(N_LGN, dtype=np.uint32)
    lgn["node_group_index"] = np.arange(N_LGN, dtype=np.uint64)
    lgn.create_group("0")

with open(os.path.join(net, "node_types.csv"), "w") as f:
    f.write("node_type_id model_type model_template dynamics_params pop_name ei\n")
    f.write("101 point_neuron nest:iaf_psc_alpha exc.json \"L4 exc\" e\n")
    f.write("102 point_neuron nest:iaf_psc_alpha inh.json \"L4 inh\" i\n")
    f.write("200 virtual NONE NONE lgn e\n")
common = {"C_m": 250.0, "tau_m": 10.0, "E_L": -65.0, "V_reset": -70.0, "t_ref": 2.0, "tau_syn_ex": 2.0, "tau_syn_in": 4.0}
with open(os.path.join(comp, "exc.json"), "w") as f:
    json.dump({**common, "V_th": -50.0}, f)
with open(os.path.join(comp, "inh.json"), "w") as f:
    json.dump({**common, "V_th": -52.0}, f)

# v1 -> v1: 400 edges; type 1 excitatory (syn_weight 30 pA in the types table, nsyns per edge), type 2 inhibitory
# (syn_weight -60 pA per edge in the group); delays per edge.
E = 400
src = rng.integers(0, N_V1, E)
tgt = rng.integers(0, N_V1, E)
etype = np.where(src < N_EXC, 1, 2).astype(np.uint64)
nsyns = rng.integers(1, 4, E)
delay = np.round(rng.uniform(1.0, 3.0, E), 1)
w_group = np.where(etype == 2, -60.0 * rng.uniform(0.5, 1.5, E), np.nan)
# LGN -> v1: 200 edges, weights per edge in the group, delay from the edge type.
E2 = 200
src2 = rng.integers(0, N_LGN, E2)
tgt2 = rng.integers(0, N_V1, E2)
w2 = rng.uniform(50.0, 150.0, E2)

with h5py.File(os.path.join(net, "edges.h5"), "w") as f:
    e = f.create_group("edges/v1_to_v1")
    e["source_node_id"] = src.astype(np.uint64)
    e["source_node_id"].attrs["node_population"] = "v1"
    e["target_node_id"] = tgt.astype(np.uint64)
    e["target_node_id"].attrs["node_population"] = "v1"
    e["edge_type_id"] = etype
    e["edge_group_id"] = np.zeros(E, dtype=np.uint16)
    e["edge_group_index"] = np.arange(E, dtype=np.uint64)
    g = e.create_group("0")
    g["nsyns"] = nsyns.astype(np.uint16)
    g["delay"] = delay
    # Type 1 edges take syn_weight from the types table; the inhibitory ones carry it per edge, in a second group.
    e["edge_group_id"][...] = np.where(etype == 2, 1, 0).astype(np.uint16)
    idx = np.zeros(E, dtype=np.uint64)
    c = [0, 0]
    for k in range(E):
        grp_id = 1 if etype[k] == 2 else 0
        idx[k] = c[grp_id]
        c[grp_id] += 1
    e["edge_group_index"][...] = idx
    del e["0"]
    g0 = e.create_group("0")
    g0["nsyns"] = nsyns[etype == 1].astype(np.uint16)
    g0["delay"] = delay[etype == 1]
    g1 = e.create_group("1")
    g1["nsyns"] = nsyns[etype == 2].astype(np.uint16)
    g1["delay"] = delay[etype == 2]
    g1["syn_weight"] = w_group[etype == 2]
    e2 = f.create_group("edges/lgn_to_v1")
    e2["source_node_id"] = src2.astype(np.uint64)
    e2["source_node_id"].attrs["node_population"] = "lgn"
    e2["target_node_id"] = tgt2.astype(np.uint64)
    e2["target_node_id"].attrs["node_population"] = "v1"
    e2["edge_type_id"] = np.full(E2, 3, dtype=np.uint64)
    e2["edge_group_id"] = np.zeros(E2, dtype=np.uint16)
    e2["edge_group_index"] = np.arange(E2, dtype=np.uint64)
    e2.create_group("0")["syn_weight"] = w2.astype(np.float32)

with open(os.path.join(net, "edge_types.csv"), "w") as f:
    f.write("edge_type_id target_query source_query syn_weight delay model_template dynamics_params\n")
    f.write("1 ei=='e' ei=='e' 30.0 NONE static_synapse NONE\n")
    f.write("2 * ei=='i' NONE NONE static_synapse NONE\n")
    f.write("3 * pop_name=='lgn' NONE 1.5 static_synapse NONE\n")

# Input spikes for lgn: 10 to 40 Hz over 400 ms, SONATA spike-file layout.
times, ids = [], []
for n in range(N_LGN):
    t = np.sort(np.round(rng.uniform(0, 400, rng.integers(4, 16)), 1))
    times.extend(t)
    ids.extend([n] * len(t))
order = np.argsort(times, kind="stable")
os.makedirs(os.path.join(out, "inputs"), exist_ok=True)
with h5py.File(os.path.join(out, "inputs", "lgn_spikes.h5"), "w") as f:
    s = f.create_group("spikes/lgn")
    s["timestamps"] = np.asarray(times)[order]
    s["node_ids"] = np.asarray(ids, dtype=np.uint64)[order]

with open(os.path.join(out, "circuit_config.json"), "w") as f:
    json.dump({
        "manifest": {"$BASE_DIR": ".", "$NETWORK_DIR": "$BASE_DIR/network", "$COMPONENTS_DIR": "$BASE_DIR/components"},
        "components": {"point_neuron_models_dir": "$COMPONENTS_DIR/point_neuron_models"},
        "networks": {
            "nodes": [{"nodes_file": "$NETWORK_DIR/nodes.h5", "node_types_file": "$NETWORK_DIR/node_types.csv",
                       "populations": {"v1": {}, "lgn": {}}}],
            "edges": [{"edges_file": "$NETWORK_DIR/edges.h5", "edge_types_file": "$NETWORK_DIR/edge_types.csv",
                       "populations": {"v1_to_v1": {}, "lgn_to_v1": {}}}],
        },
    }, f, indent=2)
with open(os.path.join(out, "simulation_config.json"), "w") as f:
    json.dump({
        "manifest": {"$BASE_DIR": ".", "$INPUT_DIR": "$BASE_DIR/inputs"},
        "network": "$BASE_DIR/circuit_config.json",
        "run": {"tstop": 500.0, "dt": 0.1},
        "node_sets": {"lgn_nodes": {"population": "lgn"}, "probe": {"population": "v1", "node_id": [0, 5, 50]}},
        "inputs": {
            "lgn_spikes": {"input_type": "spikes", "module": "sonata", "input_file": "$INPUT_DIR/lgn_spikes.h5", "node_set": "lgn_nodes"},
            "kick": {"input_type": "current_clamp", "module": "IClamp", "amp": 0.1, "delay": 100.0, "duration": 50.0, "node_set": "probe"},
        },
        "reports": {"membrane": {"cells": "probe", "variable_name": "V_m", "module": "multimeter_report", "sections": "soma", "dt": 0.5}},
    }, f, indent=2)

w_eff = np.where(etype == 2, w_group, 30.0) * nsyns
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({
        "populations": {"lgn": N_LGN, "v1": N_V1},
        "v1_to_v1": {"exc": int((w_eff >= 0).sum()), "inh": int((w_eff < 0).sum()),
                     "exc_weight_sum": float(w_eff[w_eff >= 0].sum()), "inh_weight_sum": float(w_eff[w_eff < 0].sum()),
                     "delay_sum": float(delay.sum())},
        "lgn_to_v1": {"exc": E2, "weight_sum": float(w2.astype(np.float32).astype(np.float64).sum())},
        "v_m": [float(x) for x in v_m],
        "i_e": [float(x) for x in i_e.astype(np.float32)],
        "lgn_spikes": len(times),
    }, f)
print(out)
