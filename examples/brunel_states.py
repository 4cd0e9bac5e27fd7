#!/usr/bin/env python3
"""Writes the four states of Brunel (2000), model A, as DistSnn model files.

    python3 examples/brunel_states.py      # writes brunel_sr.yaml, brunel_ai.yaml, brunel_si_fast.yaml, brunel_si_slow.yaml

The network of Brunel's figure 8: 10,000 excitatory and 2,500 inhibitory lif_delta neurons (tau_m 20 ms, threshold
20 mV, reset 10 mV, t_ref 2 ms), each with exactly C_E = 1000 excitatory and C_I = 250 inhibitory inputs (fixed
in-degree, no self-connections), J = 0.1 mV, inhibitory weight -g J, delay D = 1.5 ms, and C_E external Poisson
inputs of rate eta * nu_thr each, nu_thr = theta / (J C_E tau_m) = 10 Hz. The states are the paper's (g, eta) pairs.
"""
import os

STATES = [
    ("sr", "synchronous regular", 3.0, 2.0),
    ("ai", "asynchronous irregular", 5.0, 2.0),
    ("si_fast", "synchronous irregular, fast oscillation", 6.0, 4.0),
    ("si_slow", "synchronous irregular, slow oscillation", 4.5, 0.9),
]
J, C_E, C_I, THETA, TAU_M = 0.1, 1000, 250, 20.0, 20.0
NU_THR = THETA / (J * C_E * TAU_M * 1e-3)  # Hz


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for key, label, g, eta in STATES:
        w_inh = -g * J
        text = f"""# Brunel (2000) network, model A, {label} state: g = {g:g}, eta = nu_ext / nu_thr = {eta:g} (figure 8).
# 10,000 excitatory + 2,500 inhibitory lif_delta neurons, each with exactly {C_E} excitatory and {C_I} inhibitory recurrent
# inputs (fixed in-degree), J = {J:g} mV, inhibitory weight {w_inh:g} mV, delay 1.5 ms, and {C_E} external Poisson inputs at
# {eta * NU_THR:g} Hz. Written by examples/brunel_states.py.
name: brunel_{key}
run:
  dt: 0.1 ms
  duration: 1000 ms
  seed: 12345
populations:
  - name: exc
    size: 10000
    model: lif_delta
    parameters: &lif
      tau_m: 20 ms
      c_m: 250 pF
      e_l: 0 mV
      v_th: 20 mV
      v_reset: 10 mV
      t_ref: 2 ms
    initial:
      v: uniform(0 mV, 20 mV)
  - name: inh
    size: 2500
    model: lif_delta
    parameters: *lif
    initial:
      v: uniform(0 mV, 20 mV)
projections:
  - {{source: exc, target: exc, connector: {{type: fixed_number_pre, n: {C_E}, allow_self_connections: false}}, weight: {J:g} mV, delay: 1.5 ms, receptor: exc}}
  - {{source: exc, target: inh, connector: {{type: fixed_number_pre, n: {C_E}}}, weight: {J:g} mV, delay: 1.5 ms, receptor: exc}}
  - {{source: inh, target: exc, connector: {{type: fixed_number_pre, n: {C_I}}}, weight: {w_inh:g} mV, delay: 1.5 ms, receptor: inh}}
  - {{source: inh, target: inh, connector: {{type: fixed_number_pre, n: {C_I}, allow_self_connections: false}}, weight: {w_inh:g} mV, delay: 1.5 ms, receptor: inh}}
poisson_inputs:
  - {{target: exc, sources: {C_E}, rate: {eta * NU_THR:g} Hz, weight: {J:g} mV, receptor: exc}}
  - {{target: inh, sources: {C_E}, rate: {eta * NU_THR:g} Hz, weight: {J:g} mV, receptor: exc}}
record:
  spikes: [exc, inh]
"""
        with open(os.path.join(here, f"brunel_{key}.yaml"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
