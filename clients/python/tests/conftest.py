"""Fixtures: the distsnn executable, a local run folder, and a real ``distsnn node`` on loopback.

The executable is ``$DISTSNN_CLI`` when set; otherwise it is built once per session with
``dotnet build cluster/DistSnn.Cli -c Release -o <tmp>``. Where neither works the tests that need it fail when
``CI=true`` and are skipped (with the reason) elsewhere.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

import distsnn
from distsnn import Network, uniform

REPO = Path(__file__).resolve().parents[3]
IN_CI = os.environ.get("CI", "").lower() == "true"

# Every wait on a process or the node is bounded by one of these (seconds).
BUILD_TIMEOUT = 900
RUN_TIMEOUT = 120
NODE_READY_TIMEOUT = 120
NODE_STOP_TIMEOUT = 30


def _unavailable(reason: str):
    """Fails in CI, skips elsewhere: a missing executable must never pass CI unnoticed."""
    if IN_CI:
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def cli(tmp_path_factory) -> str:
    """Path of the distsnn executable."""
    given = os.environ.get("DISTSNN_CLI")
    if given:
        if not (os.path.isfile(given) and os.access(given, os.X_OK)):
            pytest.fail(f"DISTSNN_CLI={given} is not an executable file", pytrace=False)
        return given
    if shutil.which("dotnet") is None:
        _unavailable("DISTSNN_CLI is not set and dotnet is not on PATH to build the CLI")
    out = tmp_path_factory.mktemp("cli")
    try:
        build = subprocess.run(["dotnet", "build", str(REPO / "cluster" / "DistSnn.Cli"), "-c", "Release", "-o", str(out)],
                               cwd=REPO, capture_output=True, text=True, timeout=BUILD_TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"building the CLI took more than {BUILD_TIMEOUT} s", pytrace=False)
    exe = out / "distsnn"
    if build.returncode != 0 or not exe.exists():
        pytest.fail(f"building the CLI failed (exit {build.returncode}):\n{build.stdout[-4000:]}\n{build.stderr[-2000:]}",
                    pytrace=False)
    return str(exe)


def run_cli(cli: str, *args: str, timeout: float = RUN_TIMEOUT, cwd=REPO) -> subprocess.CompletedProcess:
    """Runs ``distsnn ARGS`` in the repository root and returns the finished process (output captured)."""
    return subprocess.run([cli, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


#: The local reference run: examples/cuba.yaml for this long, with spikes also written as CSV.
CUBA_MS = 200


@pytest.fixture(scope="session")
def cuba_run(cli, tmp_path_factory) -> Path:
    """A results folder of ``distsnn run examples/cuba.yaml --duration 200 --csv --no-plots``."""
    out = tmp_path_factory.mktemp("cuba") / "run"
    done = run_cli(cli, "run", "examples/cuba.yaml", "--duration", str(CUBA_MS), "--csv", "--no-plots", "--out", str(out))
    assert done.returncode == 0, done.stderr + done.stdout
    return out


def cuba(duration_ms: float) -> Network:
    """examples/cuba.yaml written with the builder, numbers in canonical units."""
    params = dict(tau_m=20, tau_syn_exc=5, tau_syn_inh=10, e_l=-49, v_th=-50, v_reset=-60, t_ref=5)
    net = Network("cuba", dt=0.1, duration=duration_ms, seed=12345)
    for name, size in (("exc", 3200), ("inh", 800)):
        net.population(name, size, "lif_exp_current", initial={"v": uniform(-60, -50)}, **params)
    for source, weight in (("exc", 1.62), ("inh", -9)):
        for target in ("exc", "inh"):
            net.connect(source, target, "fixed_probability", p=0.02, weight=weight, delay=0.1, receptor=source)
    return net.record_spikes("exc", "inh")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """A ``distsnn node`` process on loopback: its admin ``endpoint``, the ``token`` it wants, its ``log`` file."""

    def __init__(self, process: subprocess.Popen, endpoint: str, token: str, log: Path):
        self.process, self.endpoint, self.token, self.log = process, endpoint, token, log

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the node's output, for failure messages."""
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """SIGTERM (the node leaves its cluster and exits), then SIGKILL if it is still there after a while."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(NODE_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(NODE_STOP_TIMEOUT)


@pytest.fixture(scope="session")
def node(cli, tmp_path_factory):
    """A one-node cluster with a token-protected admin endpoint on free loopback ports, ready for jobs; stopped
    at the end of the session, also when a test fails."""
    work = tmp_path_factory.mktemp("node")
    remoting, admin = free_port(), free_port()
    while admin == remoting:
        admin = free_port()
    token = "python-client-test-token"
    endpoint = f"http://127.0.0.1:{admin}"
    log = work / "node.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([cli, "node", "--port", str(remoting), "--seed", f"127.0.0.1:{remoting}",
                                    "--admin-url", endpoint, "--admin-token", token],
                                   cwd=work, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    started = Node(process, endpoint, token, log)
    try:
        client = distsnn.Client(endpoint)
        deadline = time.monotonic() + NODE_READY_TIMEOUT
        while not client.ready():
            if process.poll() is not None:
                pytest.fail(f"the node exited with code {process.returncode} before it was ready:\n{started.log_tail()}",
                            pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"the node was not ready within {NODE_READY_TIMEOUT} s:\n{started.log_tail()}", pytrace=False)
            time.sleep(0.2)
        yield started
    finally:
        started.stop()
