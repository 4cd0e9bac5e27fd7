"""Build DistSnn models in Python and write them as model files (YAML).

>>> net = (Network("demo", dt=0.1, duration=500, seed=42)
...        .population("exc", 800, "lif_delta", tau_m=20, v_th=20, v_reset=10, e_l=0, t_ref=2,
...                    initial={"v": uniform(0, 20)})
...        .connect("exc", "exc", "fixed_probability", p=0.1, weight=0.1, delay=1.5)
...        .poisson_input("exc", sources=1000, rate=20, weight=0.1)
...        .record_spikes("exc"))
>>> text = net.to_yaml()

Quantities are strings with a unit (``"20 ms"``, ``"250 pF"``, ``"uniform(0 mV, 20 mV)"``), written as given, or
plain numbers in the canonical unit of their dimension (ms, mV, nS, pF, pA, Hz; see :mod:`distsnn.units`): a
parameter's dimension comes from its neuron model, a weight's from the model of the target population, a state
variable's from its population's model. Numbers for keys the tables do not know are written as plain numbers, and
the model loader names them if a unit was needed. Nothing is checked here beyond names and structure; the
DistSnn loader checks the model when it is run or submitted and reports every error with its field path.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Optional, Union

from .emit import to_yaml
from .units import SYNAPSE_UNITS, parameter_unit, state_unit, weight_unit, with_unit

__all__ = ["Network"]


def _clean(d: dict) -> dict:
    """Drops keys whose value is None."""
    return {k: v for k, v in d.items() if v is not None}


class Network:
    """A model under construction. Every method that adds something returns the network, so calls chain.

    ``dt``, ``duration`` (numbers in ms or strings with a unit), ``seed`` and ``exchange_lag`` are the run settings
    (``run:`` in the file); left out, the loader's defaults apply (0.1 ms, 1000 ms, seed 1).
    """

    def __init__(self, name: str, *, dt: Any = None, duration: Any = None, seed: Optional[int] = None,
                 exchange_lag: Optional[int] = None):
        if not name or not isinstance(name, str):
            raise ValueError("name: a network needs a name")
        self.name = name
        self._run: dict[str, Any] = {}
        self._populations: list[dict] = []
        self._projections: list[dict] = []
        self._poisson: list[dict] = []
        self._currents: list[dict] = []
        self._spikes: Union[str, list[str], None] = None
        self._state: list[dict] = []
        self._extra: dict[str, Any] = {}
        self.run(dt=dt, duration=duration, seed=seed, exchange_lag=exchange_lag)

    # ---- run settings --------------------------------------------------------------------------------------

    def run(self, *, dt: Any = None, duration: Any = None, seed: Optional[int] = None,
            exchange_lag: Optional[int] = None) -> "Network":
        """Sets run settings; those given as None keep their current value."""
        self._run.update(_clean({"dt": dt, "duration": duration, "seed": seed, "exchange_lag": exchange_lag}))
        return self

    # ---- neurons -------------------------------------------------------------------------------------------

    def population(self, name: str, size: int, model: str, *, initial: Optional[dict] = None,
                   backend: Optional[str] = None, **parameters: Any) -> "Network":
        """Adds a population of ``size`` neurons of neuron ``model`` (``lif_delta``, ``lif_exp_current``,
        ``lif_exp_cond``, ``izhikevich``, ``adex``, ``if_subtract``, ``poisson_generator``, ``spike_generator``).

        ``parameters`` are the model's parameters (``tau_m=20`` is ``tau_m: 20 ms``); ``initial`` maps state
        variables to initial values (numbers, strings, :func:`~distsnn.uniform` or :func:`~distsnn.normal`);
        ``backend`` names the kind of partition that hosts it (default ``cpu``). Global neuron ids follow the order
        in which populations are added.
        """
        if any(p["name"] == name for p in self._populations):
            raise ValueError(f"population '{name}' is already defined")
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ValueError(f"population '{name}': size must be a positive integer, got {size!r}")
        self._populations.append(_clean({"name": name, "size": size, "model": model, "parameters": dict(parameters),
                                         "initial": dict(initial) if initial else None, "backend": backend}))
        return self

    # ---- synapses and inputs -------------------------------------------------------------------------------

    def connect(self, source: str, target: str, connector: Union[str, dict] = "all_to_all", *, weight: Any = None,
                delay: Any = None, receptor: Optional[str] = None, synapse: Optional[dict] = None,
                label: Optional[str] = None, **connector_params: Any) -> "Network":
        """Adds a projection from ``source`` to ``target``.

        ``connector`` is a connector type (``all_to_all``, ``one_to_one``, ``fixed_probability``,
        ``fixed_number_pre``, ``fixed_number_post``, ``fixed_total_number``, ``from_list``, ``conv``) whose keys
        are given as ``connector_params`` (``p=0.1``, ``n=100``, ``allow_self_connections=False``), or a whole
        connector mapping. ``weight`` (unit of the target's model) and ``delay`` (ms) may be numbers, strings or
        distributions; ``receptor`` is ``exc`` (the loader's default) or ``inh``; ``synapse`` a plasticity block
        such as ``{"type": "stdp", "tau_plus": 20, "w_max": 1}`` (times in ms, bounds in the weight unit).
        """
        if isinstance(connector, str):
            conn = {"type": connector, **connector_params}
        elif isinstance(connector, dict):
            if connector_params:
                raise TypeError("give the connector's keys either in the connector mapping or as keywords, not both")
            conn = dict(connector)
        else:
            raise TypeError(f"connector must be a type name or a mapping, got {type(connector).__name__}")
        self._projections.append(_clean({"source": source, "target": target, "connector": conn, "weight": weight,
                                         "delay": delay, "receptor": receptor, "label": label,
                                         "synapse": dict(synapse) if synapse else None}))
        return self

    def poisson_input(self, target: str, *, sources: int, rate: Any, weight: Any,
                      receptor: Optional[str] = None) -> "Network":
        """Adds ``sources`` independent Poisson sources of ``rate`` (Hz) onto every neuron of ``target``."""
        self._poisson.append(_clean({"target": target, "sources": sources, "rate": rate, "weight": weight,
                                     "receptor": receptor}))
        return self

    def current(self, target: str, type: str = "dc", **keys: Any) -> "Network":
        """Adds a current source: ``type="dc"`` with ``amplitude`` (pA), ``start``, ``stop`` (ms), ``neurons``;
        or ``type="step"`` with ``times`` (ms) and ``amplitudes`` (pA), ``neurons``."""
        self._currents.append({"type": type, "target": target, **_clean(keys)})
        return self

    # ---- recording -----------------------------------------------------------------------------------------

    def record_spikes(self, *populations: str) -> "Network":
        """Records the spikes of ``populations`` (all populations when none is named)."""
        if not populations:
            self._spikes = "all"
        else:
            current = [] if self._spikes in (None, "all") else list(self._spikes)
            self._spikes = current + [p for p in populations if p not in current]
        return self

    def record_state(self, population: str, variables: Iterable[str], *, neurons: Optional[Iterable[int]] = None,
                     interval: Any = None) -> "Network":
        """Records state ``variables`` of some ``neurons`` (population-local indices) every ``interval`` (ms)."""
        self._state.append(_clean({"population": population, "variables": list(variables),
                                   "neurons": list(neurons) if neurons is not None else None, "interval": interval}))
        return self

    def section(self, key: str, value: Any) -> "Network":
        """Sets any other top-level section as written (``placement``, ``backends``, ``reward``, ``dataset``)."""
        if key in ("name", "run", "populations", "projections", "poisson_inputs", "currents", "record"):
            raise ValueError(f"'{key}' is set through the builder's own methods")
        self._extra[key] = value
        return self

    # ---- output --------------------------------------------------------------------------------------------

    def _model_of(self, population: str) -> Optional[str]:
        return next((p["model"] for p in self._populations if p["name"] == population), None)

    def to_dict(self) -> dict:
        """The model as plain data (what :meth:`to_yaml` writes), with every number given its unit."""
        out: dict[str, Any] = {"name": self.name}
        run = dict(self._run)
        for key in ("dt", "duration"):
            if key in run:
                run[key] = with_unit(run[key], "ms")
        if run:
            out["run"] = run
        pops = []
        for p in self._populations:
            q = dict(p)
            model = p["model"]
            if "parameters" in p:
                q["parameters"] = {k: with_unit(v, parameter_unit(model, k)) for k, v in p["parameters"].items()}
            if "initial" in p:
                q["initial"] = {k: with_unit(v, state_unit(model, k)) for k, v in p["initial"].items()}
            pops.append(q)
        out["populations"] = pops
        if self._projections:
            out["projections"] = [self._projection(p) for p in self._projections]
        if self._poisson:
            out["poisson_inputs"] = [{**p, "rate": with_unit(p["rate"], "Hz"),
                                      "weight": with_unit(p["weight"], weight_unit(self._model_of(p["target"])))}
                                     for p in self._poisson]
        if self._currents:
            units = {"amplitude": "pA", "amplitudes": "pA", "start": "ms", "stop": "ms", "times": "ms"}
            out["currents"] = [{k: with_unit(v, units.get(k)) for k, v in c.items()} for c in self._currents]
        record: dict[str, Any] = {}
        if self._spikes is not None:
            record["spikes"] = self._spikes
        if self._state:
            record["state"] = [{**s, "interval": with_unit(s["interval"], "ms")} if "interval" in s else s
                               for s in self._state]
        if record:
            out["record"] = record
        out.update(self._extra)
        return out

    def _projection(self, p: dict) -> dict:
        q = dict(p)
        wunit = weight_unit(self._model_of(p["target"]))
        if "weight" in q:
            q["weight"] = with_unit(q["weight"], wunit)
        if "delay" in q:
            q["delay"] = with_unit(q["delay"], "ms")
        if "synapse" in q:
            q["synapse"] = {k: with_unit(v, wunit if SYNAPSE_UNITS.get(k) == "w" else SYNAPSE_UNITS.get(k))
                            for k, v in q["synapse"].items()}
        return q

    def to_yaml(self) -> str:
        """The model file's text."""
        return to_yaml(self.to_dict())

    def save(self, path: Union[str, os.PathLike]) -> str:
        """Writes the model file to ``path`` and returns the path."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_yaml())
        return os.fspath(path)

    def __repr__(self) -> str:
        return (f"Network({self.name!r}: {len(self._populations)} populations, "
                f"{len(self._projections)} projections)")
