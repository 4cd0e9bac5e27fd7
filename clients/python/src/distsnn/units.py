"""Units of model quantities: which unit a bare number stands for, and durations for the admin API.

Model files need every quantity with its unit (``20 ms``). The builder lets a quantity be given as a string with
its unit, which is written as it is, or as a plain number, which is taken to be in DistSnn's canonical unit of the
quantity's dimension and written with it:

======================  =====
dimension               unit
======================  =====
time                    ms
voltage                 mV
conductance             nS
capacitance             pF
current                 pA
rate                    Hz
======================  =====

The tables below say the dimension of each parameter of each neuron model, of each state variable, and of the
weights onto each model; they mirror ``model/DistSnn.Model/NeuronModels.cs``.
"""

from __future__ import annotations

import math
import re
from typing import Any, Optional

__all__ = ["CANONICAL", "parameter_unit", "state_unit", "weight_unit", "with_unit", "to_ms", "Uniform", "Normal",
           "uniform", "normal"]

#: The canonical unit of each dimension; "" for plain numbers.
CANONICAL = {"time": "ms", "voltage": "mV", "conductance": "nS", "capacitance": "pF", "current": "pA", "rate": "Hz",
             "number": ""}

_LIF = {"tau_m": "ms", "c_m": "pF", "e_l": "mV", "v_th": "mV", "v_reset": "mV", "t_ref": "ms", "i_e": "pA",
        "theta_plus": "mV", "tau_theta": "ms"}

#: Unit of a bare number for each parameter of each neuron model ("" = a plain number).
PARAMETER_UNITS: dict[str, dict[str, str]] = {
    "lif_delta": {**_LIF, "v_min": "mV"},
    "lif_exp_current": {**_LIF, "tau_syn_exc": "ms", "tau_syn_inh": "ms"},
    "lif_exp_cond": {**_LIF, "g_l": "nS", "e_exc": "mV", "e_inh": "mV", "tau_syn_exc": "ms", "tau_syn_inh": "ms"},
    "izhikevich": {"a": "", "b": "", "c": "mV", "d": "", "v_peak": "mV", "i_e": ""},
    "adex": {"c_m": "pF", "g_l": "nS", "e_l": "mV", "v_t": "mV", "delta_t": "mV", "tau_w": "ms", "a": "nS",
             "b": "pA", "v_reset": "mV", "v_peak": "mV", "t_ref": "ms", "e_exc": "mV", "e_inh": "mV",
             "tau_syn_exc": "ms", "tau_syn_inh": "ms", "i_e": "pA", "substeps": ""},
    "if_subtract": {"c_m": "pF", "e_l": "mV", "v_th": "mV", "t_ref": "ms", "i_e": "pA"},
    "poisson_generator": {"rate": "Hz", "start": "ms", "stop": "ms"},
    "spike_generator": {"spike_times": "ms"},
}

#: Unit of each state variable (initial values, recording) per neuron model.
STATE_UNITS: dict[str, dict[str, str]] = {
    "lif_delta": {"v": "mV", "theta": "mV"},
    "lif_exp_current": {"v": "mV", "i_exc": "mV", "i_inh": "mV", "theta": "mV"},
    "lif_exp_cond": {"v": "mV", "g_exc": "nS", "g_inh": "nS", "theta": "mV"},
    "izhikevich": {"v": "mV", "u": ""},
    "adex": {"v": "mV", "w": "pA", "g_exc": "nS", "g_inh": "nS"},
    "if_subtract": {"v": "mV"},
}

#: Unit of a bare-number weight onto each neuron model (lif_exp_current also takes pA, given as a string).
WEIGHT_UNITS = {"lif_delta": "mV", "lif_exp_current": "mV", "lif_exp_cond": "nS", "izhikevich": "mV",
                "adex": "nS", "if_subtract": "mV"}

# Plastic synapse keys with a unit: times in ms; weight bounds and normalisation totals in the weight unit ("w").
SYNAPSE_UNITS = {"tau_plus": "ms", "tau_minus": "ms", "tau_x": "ms", "tau_y": "ms", "tau_c": "ms",
                 "normalize_interval": "ms", "w_min": "w", "w_max": "w", "normalize_total": "w"}


def parameter_unit(model: str, name: str) -> Optional[str]:
    """The unit of a bare number for parameter ``name`` of neuron model ``model``; None when not known."""
    return PARAMETER_UNITS.get(model, {}).get(name)


def state_unit(model: str, name: str) -> Optional[str]:
    """The unit of state variable ``name`` of ``model``; None when not known."""
    return STATE_UNITS.get(model, {}).get(name)


def weight_unit(model: Optional[str]) -> Optional[str]:
    """The unit of a bare-number weight onto a population of ``model``; None when not known."""
    return WEIGHT_UNITS.get(model or "")


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number")
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def with_unit(value: Any, unit: Optional[str]) -> Any:
    """Writes ``value`` with ``unit``: a number becomes ``"20 ms"``; strings, distributions and lists are
    handled item by item; with ``unit`` None or "" the value is left as it is."""
    if isinstance(value, (Uniform, Normal)):
        return value.render(unit)
    if isinstance(value, (list, tuple)):
        return [with_unit(v, unit) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return with_unit(value.tolist(), unit)
    if unit and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{_number(value)} {unit}"
    return value


class Uniform:
    """A value drawn uniformly per neuron or synapse: ``uniform(low, high)`` in the model file.

    ``low`` and ``high`` are strings with units or numbers in the unit of the quantity it is used for.
    """

    def __init__(self, low: Any, high: Any):
        self.low, self.high = low, high

    def render(self, unit: Optional[str]) -> str:
        """The model-file text, numbers given ``unit``."""
        return f"uniform({with_unit(self.low, unit)}, {with_unit(self.high, unit)})"

    def __repr__(self) -> str:
        return f"uniform({self.low!r}, {self.high!r})"


class Normal:
    """A value drawn from a normal distribution per neuron or synapse: ``normal(mu, sigma)`` in the model file."""

    def __init__(self, mu: Any, sigma: Any):
        self.mu, self.sigma = mu, sigma

    def render(self, unit: Optional[str]) -> str:
        """The model-file text, numbers given ``unit``."""
        return f"normal({with_unit(self.mu, unit)}, {with_unit(self.sigma, unit)})"

    def __repr__(self) -> str:
        return f"normal({self.mu!r}, {self.sigma!r})"


def uniform(low: Any, high: Any) -> Uniform:
    """``uniform(low, high)``: e.g. ``uniform(-60, -50)`` for a membrane potential is ``uniform(-60 mV, -50 mV)``."""
    return Uniform(low, high)


def normal(mu: Any, sigma: Any) -> Normal:
    """``normal(mu, sigma)``: e.g. ``normal(0.1, 0.01)`` for a weight onto lif_delta is ``normal(0.1 mV, 0.01 mV)``."""
    return Normal(mu, sigma)


_TIME_UNITS = {"s": 1e3, "ms": 1.0, "us": 1e-3, "\u00b5s": 1e-3}
_QUANTITY = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z\u00b5]*)\s*")


def to_ms(value: Any, name: str) -> float:
    """A time given as a number (ms) or as a string with a unit (``"2 s"``, ``"200 ms"``, ``"50 us"``) in ms.

    Raises ``ValueError`` naming ``name`` when it is neither, or not finite.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        ms = float(value)
    elif isinstance(value, str) and (m := _QUANTITY.fullmatch(value)):
        unit = m.group(2) or "ms"
        if unit not in _TIME_UNITS:
            raise ValueError(f"{name}: '{value}' has unit '{unit}'; expected s, ms or us")
        ms = float(m.group(1)) * _TIME_UNITS[unit]
    else:
        raise ValueError(f"{name}: {value!r} is not a time (a number of ms, or a string such as '200 ms')")
    if not math.isfinite(ms):
        raise ValueError(f"{name}: {value!r} is not finite")
    return ms
