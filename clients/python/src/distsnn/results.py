"""A run's results: spikes as numpy arrays, the summary, mean rates.

A results folder (``distsnn run --out DIR``, ``distsnn results JOB --out DIR``, or the zip a node serves) holds
``summary.json`` and ``spikes.h5``. The spike file has the SONATA layout: one group ``/spikes/<population>`` per
recorded population with datasets ``timestamps`` (float64, ms; attribute ``units = "ms"``) and ``node_ids``
(uint64, the neuron's index within its population), sorted by time (group attribute ``sorting``, the SONATA enumeration, ``by_time``). A spike
detected in the update of step u is stamped at the end of that step, (u + 1) * dt, so times lie in (0, duration].
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from typing import Callable, Optional, Union

import h5py
import numpy as np

__all__ = ["Results", "read_results"]


class Results:
    """The results of one run or job.

    ``summary`` is ``summary.json`` as a dict (``spikes``, ``duration_ms``, ``spikes_sha256``, ``populations``
    with each population's ``size``, ``spikes``, ``rate_hz``, ``cv_isi``, and more). ``path`` is the folder the
    results were read from, or None when they were read from an archive in memory.
    """

    def __init__(self, summary: dict, open_spikes: Optional[Callable[[], h5py.File]], path: Optional[str] = None):
        self.summary = summary
        self.path = path
        self._open_spikes = open_spikes
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._populations: Optional[list[str]] = None

    @property
    def populations(self) -> list[str]:
        """The populations whose spikes were recorded, in file order."""
        if self._populations is None:
            if self._open_spikes is None:
                self._populations = []
            else:
                with self._open_spikes() as f:
                    self._populations = list(f["spikes"].keys()) if "spikes" in f else []
        return list(self._populations)

    def spikes(self, population: str) -> tuple[np.ndarray, np.ndarray]:
        """The spikes of ``population`` as ``(times, ids)``: times in ms (float64) and population-local neuron
        indices (int64), in time order. Raises ``KeyError`` naming the recorded populations when it was not
        recorded."""
        if population not in self._cache:
            if population not in self.populations:
                raise KeyError(f"no spikes of population '{population}' were recorded "
                               f"(recorded: {', '.join(self.populations) or 'none'})")
            with self._open_spikes() as f:  # type: ignore[misc]
                group = f["spikes"][population]
                times = np.asarray(group["timestamps"][()], dtype=np.float64)
                ids = np.asarray(group["node_ids"][()], dtype=np.int64)
            self._cache[population] = (times, ids)
        times, ids = self._cache[population]
        return times.copy(), ids.copy()

    def spike_count(self) -> int:
        """Spikes of every recorded population together."""
        return sum(len(self.spikes(p)[0]) for p in self.populations)

    @property
    def duration_ms(self) -> float:
        """Simulated biological time in ms."""
        return float(self.summary["duration_ms"])

    def rates(self) -> dict[str, float]:
        """Mean firing rate of each recorded population in Hz: its spikes / (size x duration)."""
        sizes = {name: p["size"] for name, p in self.summary.get("populations", {}).items()}
        seconds = self.duration_ms / 1000.0
        out = {}
        for name in self.populations:
            if name not in sizes:
                raise KeyError(f"summary.json has no size for population '{name}'")
            n = len(self.spikes(name)[0])
            out[name] = n / (sizes[name] * seconds) if sizes[name] > 0 and seconds > 0 else 0.0
        return out

    def __repr__(self) -> str:
        where = f" from {self.path}" if self.path else ""
        return (f"Results({self.summary.get('model', '?')}{where}: {self.summary.get('spikes', '?')} spikes, "
                f"{self.summary.get('duration_ms', '?')} ms)")


def read_results(directory: Union[str, os.PathLike]) -> Results:
    """Reads a local results folder (``summary.json`` and ``spikes.h5``, as ``distsnn run`` writes them).

    Raises ``FileNotFoundError`` when the folder has no ``summary.json``. A run that recorded no spikes has no
    ``spikes.h5``; its :class:`Results` then has no populations.
    """
    directory = os.fspath(directory)
    summary_path = os.path.join(directory, "summary.json")
    if not os.path.isfile(summary_path):
        raise FileNotFoundError(f"{directory}: not a results folder (no summary.json)")
    with open(summary_path, encoding="utf-8") as f:
        summary = json.load(f)
    spikes_path = os.path.join(directory, "spikes.h5")
    opener = (lambda: h5py.File(spikes_path, "r")) if os.path.isfile(spikes_path) else None
    return Results(summary, opener, directory)


def results_from_zip(data: bytes) -> Results:
    """Reads results from the zip archive of a results folder (what ``GET /jobs/{id}/results`` returns), in memory."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        if "summary.json" not in names:
            raise ValueError("the results archive has no summary.json")
        summary = json.loads(z.read("summary.json").decode("utf-8"))
        spikes = z.read("spikes.h5") if "spikes.h5" in names else None
    opener = (lambda: h5py.File(io.BytesIO(spikes), "r")) if spikes is not None else None
    return Results(summary, opener, None)
