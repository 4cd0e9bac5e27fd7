"""The model builder: units given to numbers, structure, and that 'distsnn run' accepts and simulates what it writes."""

import pytest

from distsnn import Network, normal, read_results, uniform
from distsnn.units import to_ms
from conftest import CUBA_MS, cuba, run_cli


def test_numbers_get_the_canonical_unit_of_their_parameter():
    net = (Network("units", dt=0.1, duration="2 s", seed=1)
           .population("a", 10, "lif_exp_cond", c_m=200, g_l=10, e_exc=0, tau_syn_exc=5, i_e=100,
                       initial={"v": normal(-60, 2), "g_exc": 0.5})
           .population("z", 5, "izhikevich", a=0.02, b=0.2, c=-65, d=8, v_peak=30, i_e=10)
           .population("x", 5, "adex", a=4, b=80.5, tau_w=144, substeps=4)
           .population("p", 5, "poisson_generator", rate=10, start=0, stop="500 ms"))
    pops = {p["name"]: p for p in net.to_dict()["populations"]}
    assert pops["a"]["parameters"] == {"c_m": "200 pF", "g_l": "10 nS", "e_exc": "0 mV", "tau_syn_exc": "5 ms",
                                       "i_e": "100 pA"}
    assert pops["a"]["initial"] == {"v": "normal(-60 mV, 2 mV)", "g_exc": "0.5 nS"}
    assert pops["z"]["parameters"] == {"a": 0.02, "b": 0.2, "c": "-65 mV", "d": 8, "v_peak": "30 mV", "i_e": 10}
    assert pops["x"]["parameters"] == {"a": "4 nS", "b": "80.5 pA", "tau_w": "144 ms", "substeps": 4}
    assert pops["p"]["parameters"] == {"rate": "10 Hz", "start": "0 ms", "stop": "500 ms"}
    assert net.to_dict()["run"] == {"dt": "0.1 ms", "duration": "2 s", "seed": 1}


def test_weights_take_the_unit_of_the_target_model_and_synapse_bounds_follow():
    net = (Network("w")
           .population("in", 4, "poisson_generator", rate=5)
           .population("cond", 4, "lif_exp_cond")
           .population("delta", 4, "lif_delta")
           .connect("in", "cond", "all_to_all", weight=uniform(0, 0.3), delay=1,
                    synapse={"type": "stdp", "tau_plus": 20, "a_plus": 0.01, "w_max": 1, "normalize_total": 3})
           .connect("in", "delta", {"type": "fixed_number_pre", "n": 2}, weight="0.2 mV", delay="1.5 ms")
           .poisson_input("cond", sources=100, rate=20, weight=0.1, receptor="exc")
           .current("delta", "dc", amplitude=100, start=10, stop=20, neurons=[0, 1])
           .current("delta", "step", times=[1, 2], amplitudes=[50, 0])
           .record_state("cond", ["v", "g_exc"], neurons=[0], interval=1))
    d = net.to_dict()
    first, second = d["projections"]
    assert first["weight"] == "uniform(0 nS, 0.3 nS)" and first["delay"] == "1 ms"
    assert first["synapse"] == {"type": "stdp", "tau_plus": "20 ms", "a_plus": 0.01, "w_max": "1 nS",
                                "normalize_total": "3 nS"}
    assert second["connector"] == {"type": "fixed_number_pre", "n": 2} and second["weight"] == "0.2 mV"
    assert d["poisson_inputs"] == [{"target": "cond", "sources": 100, "rate": "20 Hz", "weight": "0.1 nS",
                                    "receptor": "exc"}]
    assert d["currents"] == [
        {"type": "dc", "target": "delta", "amplitude": "100 pA", "start": "10 ms", "stop": "20 ms", "neurons": [0, 1]},
        {"type": "step", "target": "delta", "times": ["1 ms", "2 ms"], "amplitudes": ["50 pA", "0 pA"]}]
    assert d["record"] == {"state": [{"population": "cond", "variables": ["v", "g_exc"], "neurons": [0],
                                      "interval": "1 ms"}]}


def test_record_spikes_of_all_or_some():
    net = Network("r").population("a", 1, "lif_delta").population("b", 1, "lif_delta")
    assert net.record_spikes().to_dict()["record"] == {"spikes": "all"}
    assert net.record_spikes("a").record_spikes("b", "a").to_dict()["record"] == {"spikes": ["a", "b"]}


def test_refuses_what_it_can_tell_is_wrong():
    net = Network("bad").population("a", 3, "lif_delta")
    with pytest.raises(ValueError, match="already defined"):
        net.population("a", 3, "lif_delta")
    with pytest.raises(ValueError, match="size"):
        net.population("b", 0, "lif_delta")
    with pytest.raises(TypeError, match="not both"):
        net.connect("a", "a", {"type": "all_to_all"}, weight=1, delay=1, p=0.1)
    with pytest.raises(ValueError, match="builder"):
        net.section("populations", [])
    with pytest.raises(ValueError, match="finite"):
        Network("n", duration=float("inf")).to_dict()


def test_times_for_the_admin_api():
    assert to_ms(200, "duration") == 200.0
    assert to_ms("2 s", "duration") == 2000.0
    assert to_ms("50us", "duration") == pytest.approx(0.05)
    assert to_ms("1.5", "duration") == 1.5
    with pytest.raises(ValueError, match="duration"):
        to_ms("2 mV", "duration")
    with pytest.raises(ValueError, match="checkpoint_every"):
        to_ms("soon", "checkpoint_every")


def test_cuba_built_in_python_gives_the_examples_spikes(cli, cuba_run, tmp_path):
    """The builder's CUBA is the same model as examples/cuba.yaml: same seed, same spikes_sha256."""
    path = cuba(CUBA_MS).save(tmp_path / "cuba.yaml")
    done = run_cli(cli, "run", path, "--no-plots", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    built = read_results(tmp_path / "out").summary
    example = read_results(cuba_run).summary
    assert built["spikes"] == example["spikes"]
    assert built["spikes_sha256"] == example["spikes_sha256"]


def test_many_kinds_of_model_are_accepted_by_distsnn_run(cli, tmp_path):
    """Every neuron model, plasticity, currents, Poisson input and state recording, written by the builder."""
    net = (Network("kinds", dt=0.1, duration=50, seed=7)
           .population("drive", 20, "poisson_generator", rate=200)
           .population("times", 2, "spike_generator", spike_times=[1, 2, 3])
           .population("delta", 20, "lif_delta", tau_m=20, v_th=20, v_reset=10, e_l=0, t_ref=2,
                       initial={"v": uniform(0, 20)})
           .population("cond", 20, "lif_exp_cond", theta_plus=0.05, tau_theta=1e7)
           .population("izh", 10, "izhikevich", a=0.02, b=0.2, c=-65, d=8)
           .population("adex", 10, "adex", a=4, b=80.5)
           .population("ifs", 20, "if_subtract", v_th=1)
           .connect("drive", "delta", "fixed_probability", p=0.5, weight=5, delay=1)
           .connect("drive", "cond", "all_to_all", weight=uniform(0, 2), delay=1,
                    synapse={"type": "stdp", "tau_plus": 20, "tau_minus": 20, "a_plus": 0.01, "a_minus": 0.0105,
                             "w_min": 0, "w_max": 2, "weight_dependence": "multiplicative"})
           .connect("times", "izh", "all_to_all", weight=20, delay=0.5)
           .connect("delta", "adex", "fixed_number_pre", n=5, weight=uniform(1, 2), delay=1.5)
           .connect("delta", "ifs", "one_to_one", allow_self_connections=True, weight=normal(0.5, 0.1), delay=0.1)
           .connect("delta", "delta", "fixed_probability", p=0.1, allow_self_connections=False, weight=-0.5,
                    delay=1.5, receptor="inh")
           .poisson_input("izh", sources=50, rate=10, weight=1)
           .current("cond", "dc", amplitude=200, start=5, stop=40)
           .current("adex", "step", times=[0, 25], amplitudes=[300, 0])
           .record_spikes()
           .record_state("cond", ["v", "g_exc", "theta"], neurons=[0, 1], interval=1))
    path = net.save(tmp_path / "kinds.yaml")
    done = run_cli(cli, "run", path, "--no-plots", "--json", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr + "\n" + net.to_yaml()
    results = read_results(tmp_path / "out")
    assert set(results.populations) == {"drive", "times", "delta", "cond", "izh", "adex", "ifs"}
    assert results.spike_count() == results.summary["spikes"] > 0


def test_a_bad_builder_model_is_reported_by_field(cli, tmp_path):
    path = (Network("bad", dt=0.1).population("a", 2, "lif_delta", tau_m=-1)
            .connect("a", "a", weight=1, delay=0.01).save(tmp_path / "bad.yaml"))
    done = run_cli(cli, "run", path, "--no-plots", "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "projections[0].delay" in done.stderr and "tau_m" in done.stderr
