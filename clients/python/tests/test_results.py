"""read_results on a real 'distsnn run' folder: the arrays agree with the summary and with the run's spikes.csv."""

import csv
import io
import zipfile

import numpy as np
import pytest

from distsnn import read_results
from distsnn.results import results_from_zip
from conftest import CUBA_MS


def test_spike_arrays_agree_with_the_summary(cuba_run):
    results = read_results(cuba_run)
    summary = results.summary
    assert results.populations == ["exc", "inh"]
    assert summary["duration_ms"] == CUBA_MS == results.duration_ms
    total = 0
    for name in results.populations:
        times, ids = results.spikes(name)
        assert times.dtype == np.float64 and ids.dtype == np.int64
        assert len(times) == len(ids) == summary["populations"][name]["spikes"]
        assert np.all(np.diff(times) >= 0), "spikes are in time order"
        assert times.min() > 0 and times.max() <= CUBA_MS, "a spike in step k is stamped at the step's end"
        assert ids.min() >= 0 and ids.max() < summary["populations"][name]["size"]
        total += len(times)
    assert total == summary["spikes"] == results.spike_count()


def test_spike_arrays_equal_the_csv_of_the_same_run(cuba_run):
    rows = {}
    with open(cuba_run / "spikes.csv", newline="") as f:
        for row in csv.DictReader(f):
            rows.setdefault(row["population"], []).append((float(row["time_ms"]), int(row["node_id"])))
    results = read_results(cuba_run)
    for name, spikes in rows.items():
        times, ids = results.spikes(name)
        expected = sorted(spikes)
        got = sorted(zip(times.tolist(), ids.tolist()))
        assert len(got) == len(expected)
        assert np.allclose([t for t, _ in got], [t for t, _ in expected], atol=1e-9)
        assert [i for _, i in got] == [i for _, i in expected]


def test_rates_are_spikes_per_neuron_per_second(cuba_run):
    results = read_results(cuba_run)
    rates = results.rates()
    for name, pop in results.summary["populations"].items():
        assert rates[name] == pytest.approx(pop["spikes"] / pop["size"] / (CUBA_MS / 1000))
        assert rates[name] == pytest.approx(pop["rate_hz"])


def test_arrays_are_copies(cuba_run):
    results = read_results(cuba_run)
    times, _ = results.spikes("exc")
    times[:] = -1
    assert results.spikes("exc")[0].min() >= 0


def test_the_zip_a_node_serves_reads_the_same(cuba_run):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name in ("summary.json", "spikes.h5"):
            z.write(cuba_run / name, name)
    from_zip, from_dir = results_from_zip(buffer.getvalue()), read_results(cuba_run)
    assert from_zip.summary == from_dir.summary and from_zip.path is None
    for name in from_dir.populations:
        for a, b in zip(from_zip.spikes(name), from_dir.spikes(name)):
            assert np.array_equal(a, b)


def test_missing_things_are_named(cuba_run, tmp_path):
    with pytest.raises(KeyError, match="recorded: exc, inh"):
        read_results(cuba_run).spikes("nobody")
    with pytest.raises(FileNotFoundError, match="summary.json"):
        read_results(tmp_path)
