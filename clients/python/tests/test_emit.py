"""The YAML emitter: what it quotes, how it lays out structures, and that the DistSnn loader reads it back."""

import json

import numpy as np
import pytest

from distsnn import to_yaml
from conftest import run_cli


@pytest.mark.parametrize("text", ["20 ms", "-65 mV", "lif_delta", "1e7 ms", "exc", "a.b-c+d", "0.1 mV"])
def test_plain_strings_stay_plain(text):
    assert to_yaml({"k": text}) == f"k: {text}\n"


@pytest.mark.parametrize("text", ["true", "No", "null", "~", "12", "1.5", "1e3", "0x1F", ".inf", "", " x", "x ",
                                  "a: b", "a #b", "uniform(0 mV, 20 mV)", "[x]", "{x}", "*x", "&x", "!x", "- x", "-",
                                  "exc->exc", "'q'", "\"q\"", "line\nbreak", "tab\there", "12:30", "a,b", "\u00b5s"])
def test_other_strings_are_double_quoted_json(text):
    out = to_yaml({"k": text})
    assert out == f"k: {json.dumps(text, ensure_ascii=False)}\n"


def test_scalars():
    assert to_yaml({"i": 3, "f": 0.1, "e": 1e-7, "t": True, "n": None, "neg": -2.5}) == \
        "i: 3\nf: 0.1\ne: 1e-07\nt: true\nn: null\nneg: -2.5\n"


def test_layout_of_nested_mappings_and_lists():
    data = {
        "name": "demo",
        "run": {"dt": "0.1 ms"},
        "populations": [{"name": "a", "size": 2, "parameters": {"tau_m": "20 ms"}}, {"name": "b", "size": 1}],
        "record": {"spikes": ["a", "b"], "empty": [], "none": {}},
        "pairs": [[0, 1], [1, 0]],
    }
    assert to_yaml(data) == """name: demo
run:
  dt: 0.1 ms
populations:
  - name: a
    size: 2
    parameters:
      tau_m: 20 ms
  - name: b
    size: 1
record:
  spikes: [a, b]
  empty: []
  none: {}
pairs:
  - [0, 1]
  - [1, 0]
"""


def test_numpy_values_and_tuples_become_plain_data():
    out = to_yaml({"ids": np.arange(3), "x": np.float32(0.5), "n": np.int64(7), "t": (1, 2)})
    assert out == "ids: [0, 1, 2]\nx: 0.5\nn: 7\nt: [1, 2]\n"


def test_refuses_what_a_model_file_cannot_hold():
    with pytest.raises(ValueError, match="finite"):
        to_yaml({"x": float("nan")})
    with pytest.raises(TypeError, match="keys"):
        to_yaml({1: "x"})
    with pytest.raises(TypeError, match="set"):
        to_yaml({"x": {1, 2}})


def test_the_loader_reads_quoted_and_plain_values_back(cli, tmp_path):
    """A model written by the emitter with values that need quoting (distributions, lists of times, a comment
    character in a label) is accepted by 'distsnn run' and gives what it says."""
    model = {
        "name": "emit-check",
        "run": {"dt": "0.1 ms", "duration": "20 ms", "seed": 3},
        "populations": [
            {"name": "src", "size": 2, "model": "spike_generator",
             "parameters": {"spike_times": [["1 ms", "5 ms"], ["2.5 ms"]]}},
            {"name": "dst", "size": 2, "model": "lif_delta",
             "parameters": {"tau_m": "20 ms", "v_th": "-55 mV", "e_l": "-70 mV", "v_reset": "-70 mV"},
             "initial": {"v": "uniform(-70 mV, -69 mV)"}},
        ],
        "projections": [{"source": "src", "target": "dst", "connector": {"type": "one_to_one"},
                         "weight": "20 mV", "delay": "1 ms", "label": "input #1: src->dst"}],
        "record": {"spikes": "all"},
    }
    path = tmp_path / "m.yaml"
    path.write_text(to_yaml(model))
    done = run_cli(cli, "run", str(path), "--no-plots", "--json", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["populations"]["src"]["spikes"] == 3
    assert summary["populations"]["dst"]["spikes"] == 3
