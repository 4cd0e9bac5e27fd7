"""Python client of DistSnn, the distributed spiking-neural-network simulator.

- :class:`Client`: submit models to a cluster node's admin endpoint, follow, cancel and fetch jobs;
- :func:`read_results` / :class:`Results`: spikes as numpy arrays, the summary and rates of a results folder;
- :class:`Network`: build a model in Python and write it as a model file;
- :func:`to_yaml`: the small YAML emitter the builder and ``Client.submit`` use for dicts.

See docs/python.md in the DistSnn repository.
"""

from .builder import Network
from .client import ACTIVE_STATES, Client, DistSnnError
from .emit import to_yaml
from .results import Results, read_results
from .units import normal, uniform

__all__ = ["Client", "DistSnnError", "ACTIVE_STATES", "Results", "read_results", "Network", "to_yaml", "uniform",
           "normal"]
__version__ = "0.1.0"
