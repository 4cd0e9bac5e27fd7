"""The client against a real 'distsnn node' on loopback (fixture ``node``), and its errors without one."""

import json
import time

import numpy as np
import pytest

from distsnn import Client, DistSnnError, Network, read_results
from conftest import CUBA_MS, REPO, cuba, free_port

# Bounds of the waits on jobs, in seconds: a 200 ms CUBA takes well under a second on the node.
JOB_TIMEOUT = 120


@pytest.fixture
def client(node) -> Client:
    return Client(node.endpoint, token=node.token)


def _finished(client: Client, job: str) -> dict:
    status = client.wait(job, timeout=JOB_TIMEOUT)
    assert status["state"] == "finished", status
    return status


def test_submit_wait_and_fetch_results(client, cuba_run):
    """The spikes fetched as arrays add up to the count in the job's summary.json, and they are the local run's."""
    job = client.submit(REPO / "examples" / "cuba.yaml", duration=f"{CUBA_MS} ms", partitions=2, job="py-cuba")
    assert job == "py-cuba"
    status = _finished(client, job)
    assert status["partitions"] == 2 and status["biological_ms"] == CUBA_MS
    results = client.results(job)
    counts = {name: len(results.spikes(name)[0]) for name in results.populations}
    assert sum(counts.values()) == results.summary["spikes"] > 0
    assert counts == {name: p["spikes"] for name, p in results.summary["populations"].items()}
    local = read_results(cuba_run)
    assert results.summary["spikes_sha256"] == local.summary["spikes_sha256"]
    for name in local.populations:
        assert np.array_equal(results.spikes(name)[1], local.spikes(name)[1])
    assert results.rates() == pytest.approx(local.rates())


def test_results_written_to_a_folder(client, tmp_path):
    job = client.submit(str(REPO / "examples" / "cuba.yaml"), duration=50, seed=9)
    _finished(client, job)
    results = client.results(job, out=tmp_path / "res")
    assert (tmp_path / "res" / "spikes.h5").is_file() and (tmp_path / "res" / "summary.json").is_file()
    assert results.path == str(tmp_path / "res")
    assert results.summary["seed"] == 9 and results.spike_count() == results.summary["spikes"]


def test_a_network_a_dict_yaml_and_json_text_are_submitted(client):
    """Every form of a model gives the same job: the node reads JSON with the same parser as YAML."""
    net = cuba(20)
    jobs = [client.submit(net), client.submit(net.to_dict()), client.submit(net.to_yaml(), file="cuba-text.yaml"),
            client.submit(json.dumps(net.to_dict()))]
    shas = set()
    for job in jobs:
        _finished(client, job)
        shas.add(client.results(job).summary["spikes_sha256"])
    assert len(shas) == 1


def test_a_bad_model_raises_with_the_servers_message(client):
    bad = (Network("bad").population("a", 2, "lif_delta").connect("a", "a", weight=1, delay=0.01))
    with pytest.raises(DistSnnError) as error:
        client.submit(bad, file="bad.yaml")
    assert error.value.status == 400
    assert "bad.yaml" in error.value.message and "projections[0].delay" in error.value.message
    assert error.value.body["accepted"] is False


def test_bad_options_are_refused_with_their_name(client):
    with pytest.raises(DistSnnError, match="strategy") as error:
        client.submit(REPO / "examples" / "cuba.yaml", strategy="sideways")
    assert error.value.status == 400
    with pytest.raises(ValueError, match="duration"):
        client.submit(REPO / "examples" / "cuba.yaml", duration="3 mV")


def test_jobs_lists_what_was_submitted(client):
    job = client.submit(REPO / "examples" / "cuba.yaml", duration=10, job="py-listed")
    _finished(client, job)
    listed = {j["job"]: j for j in client.jobs()}
    assert listed["py-listed"]["state"] == "finished"
    assert listed["py-listed"]["total_ms"] == 10
    with pytest.raises(DistSnnError, match="already exists") as error:
        client.submit(REPO / "examples" / "cuba.yaml", duration=10, job="py-listed")
    assert error.value.status == 409


def test_cancel_a_running_job(client):
    job = client.submit(REPO / "examples" / "cuba.yaml", duration="100 s", job="py-long")
    deadline = time.monotonic() + JOB_TIMEOUT
    while client.status(job)["state"] != "running":
        assert time.monotonic() < deadline, "the job never started running"
        time.sleep(0.05)
    with pytest.raises(TimeoutError, match="py-long"):
        client.wait(job, timeout=0.2)
    assert client.cancel(job)["state"] == "cancelled"
    final = client.wait(job, timeout=JOB_TIMEOUT)
    assert final["state"] == "cancelled" and final["step"] < final["total_steps"]
    with pytest.raises(DistSnnError) as error:
        client.results(job)
    assert error.value.status == 409 and "cancelled" in error.value.message


def test_unknown_jobs(client):
    for call in (client.status, client.cancel, client.results):
        with pytest.raises(DistSnnError) as error:
            call("no-such-job")
        assert error.value.status == 404 and "no-such-job" in error.value.message


def test_the_token_is_required(node):
    for token in (None, "wrong"):
        with pytest.raises(DistSnnError) as error:
            Client(node.endpoint, token=token).jobs()
        assert error.value.status == 401 and "token" in error.value.message
    assert Client(node.endpoint).ready(), "health checks need no token"


def test_the_token_comes_from_the_environment(node, monkeypatch):
    monkeypatch.setenv("DISTSNN_TOKEN", node.token)
    client = Client(node.endpoint)
    assert isinstance(client.jobs(), list)
    assert node.token not in repr(client)


def test_an_unreachable_endpoint():
    client = Client(f"http://127.0.0.1:{free_port()}", timeout=5)
    with pytest.raises(DistSnnError, match="cannot reach") as error:
        client.jobs()
    assert error.value.status is None
    assert not client.ready()
    with pytest.raises(ValueError, match="http"):
        Client("127.0.0.1:9100")
