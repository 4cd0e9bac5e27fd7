"""The admin API of a DistSnn cluster node over HTTP (``urllib.request``; no other dependency).

The endpoint is the one ``distsnn node`` serves (``--admin-url``, default ``http://127.0.0.1:9100``) and the CLI's
``submit``, ``jobs``, ``status``, ``cancel`` and ``results`` use: ``POST /jobs`` (the model text in the body, the
options in the query), ``GET /jobs``, ``GET /jobs/{id}``, ``DELETE /jobs/{id}``, ``GET /jobs/{id}/results`` (a zip
of the results folder). A node started with ``--admin-token T`` wants ``Authorization: Bearer T`` on every call
but the health checks.
"""

from __future__ import annotations

import io
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from typing import Any, Optional, Union

from .emit import to_yaml
from .results import Results, read_results, results_from_zip
from .units import to_ms

__all__ = ["Client", "DistSnnError", "ACTIVE_STATES"]

#: Job states in which a job has not ended yet; ``wait`` polls until the state is none of them.
ACTIVE_STATES = frozenset({"queued", "building", "running", "recovering"})

_MODEL_SUFFIXES = (".yaml", ".yml", ".json")


class DistSnnError(Exception):
    """An error answer from the admin endpoint, or the endpoint cannot be reached.

    ``status`` is the HTTP status (400 bad model or option, 401 missing or wrong token, 404 unknown job, 409 job
    not finished or refused, ...), or None when no answer came. ``message`` is the server's message: the model
    errors one per line (each naming its field, e.g. ``submitted model:12: projections[0].delay: ...``), or the
    ``error`` of the answer. ``body`` is the answer as parsed JSON when it was JSON, else its text.
    """

    def __init__(self, status: Optional[int], message: str, body: Any = None):
        super().__init__(f"{status} {message}" if status is not None else message)
        self.status = status
        self.message = message
        self.body = body


def _message_of(body: Any, text: str) -> str:
    """The server's message in an error answer, as the CLI's ``AdminClient`` reads it."""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return "\n".join(str(e) for e in errors)
        if isinstance(body.get("error"), str) and "state" not in body:
            return body["error"]
        if "state" in body:
            error = body.get("error")
            if error == "unknown job":
                return f"unknown job '{body.get('job', '')}'"
            return f"job {body.get('job', '')} is {body['state']}" + (f": {error}" if isinstance(error, str) else "")
        for key in ("detail", "title"):  # ASP.NET problem details
            if isinstance(body.get(key), str):
                return body[key]
    return text.strip() or "(empty answer)"


class Client:
    """A client of one node's admin endpoint.

    ``endpoint`` is the node's admin URL (``http://127.0.0.1:9100``); ``token`` the bearer token when the node
    wants one (default: ``$DISTSNN_TOKEN``, as the CLI). ``timeout`` bounds each HTTP request, in seconds.
    """

    def __init__(self, endpoint: str, token: Optional[str] = None, *, timeout: float = 300.0):
        parsed = urllib.parse.urlparse(endpoint)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"endpoint: '{endpoint}' is not an http(s) URL")
        self.endpoint = endpoint.rstrip("/")
        self._token = token if token is not None else os.environ.get("DISTSNN_TOKEN")
        self.timeout = timeout

    def __repr__(self) -> str:
        # The token is never shown.
        return f"Client({self.endpoint!r}{', token=***' if self._token else ''})"

    # ---- HTTP ----------------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: Optional[bytes] = None,
                 content_type: Optional[str] = None) -> tuple[int, bytes]:
        request = urllib.request.Request(self.endpoint + path, data=body, method=method)
        if self._token:
            request.add_header("Authorization", f"Bearer {self._token}")
        if content_type:
            request.add_header("Content-Type", content_type)
        request.add_header("Accept", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
            try:
                parsed: Any = json.loads(text)
            except ValueError:
                parsed = text
            raise DistSnnError(e.code, _message_of(parsed, text), parsed) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise DistSnnError(None, f"cannot reach the admin endpoint {self.endpoint}: {reason}") from None

    def _json(self, method: str, path: str, body: Optional[bytes] = None, content_type: Optional[str] = None) -> Any:
        _, data = self._request(method, path, body, content_type)
        return json.loads(data) if data else None

    @staticmethod
    def _job_path(job: str, tail: str = "") -> str:
        if not job:
            raise ValueError("job: an id is needed")
        return "/jobs/" + urllib.parse.quote(job, safe="") + tail

    # ---- jobs ----------------------------------------------------------------------------------------------

    def ready(self) -> bool:
        """Whether the node is ready to take jobs (``GET /health/ready`` answers 200); False while it starts or when
        it cannot be reached."""
        try:
            self._request("GET", "/health/ready")
            return True
        except DistSnnError:
            return False

    def submit(self, model: Any, *, job: Optional[str] = None, partitions: Optional[int] = None,
               strategy: Optional[str] = None, duration: Any = None, seed: Optional[int] = None,
               scale: Optional[float] = None, checkpoint_every: Any = None, checkpoint_dir: Optional[str] = None,
               file: Optional[str] = None) -> str:
        """Submits ``model`` as a job and returns the job's id.

        ``model`` is a path to a model file (``str`` ending in .yaml, .yml or .json, or a ``PathLike``), the text
        of a model (YAML or JSON), a dict (written as YAML) or a :class:`~distsnn.Network`. Options, as
        ``distsnn submit``: ``job`` (the id; default: model name, time and a random suffix), ``partitions``
        (default 1), ``strategy`` (``contiguous``, ``round_robin``, ``graph``), ``duration`` and ``checkpoint_every``
        (a number of ms or a string such as ``"200 ms"``), ``seed``, ``scale``, ``checkpoint_dir``; ``file`` is the
        name errors give the model (default: the file's name, or ``submitted model``).
        Raises :class:`DistSnnError` (400, with every error of the model) when the node refuses it.
        """
        text, name = self._model_text(model)
        query: dict[str, str] = {}
        if partitions is not None:
            query["partitions"] = str(int(partitions))
        if strategy is not None:
            query["strategy"] = strategy
        if job is not None:
            query["job"] = job
        if file is not None or name is not None:
            query["file"] = file if file is not None else name  # type: ignore[assignment]
        if duration is not None:
            query["duration"] = repr(to_ms(duration, "duration"))
        if seed is not None:
            query["seed"] = str(int(seed))
        if scale is not None:
            query["scale"] = repr(float(scale))
        if checkpoint_every is not None:
            query["checkpoint_every"] = repr(to_ms(checkpoint_every, "checkpoint_every"))
        if checkpoint_dir is not None:
            query["checkpoint_dir"] = checkpoint_dir
        path = "/jobs" + ("?" + urllib.parse.urlencode(query) if query else "")
        answer = self._json("POST", path, text.encode("utf-8"), "application/yaml")
        return answer["job"]

    @staticmethod
    def _model_text(model: Any) -> tuple[str, Optional[str]]:
        """The model's text and the file name to report errors against."""
        if isinstance(model, os.PathLike) or (isinstance(model, str) and "\n" not in model
                                               and model.strip().lower().endswith(_MODEL_SUFFIXES)):
            path = os.fspath(model)
            with open(path, encoding="utf-8") as f:
                return f.read(), os.path.basename(path)
        if isinstance(model, str):
            return model, None
        if isinstance(model, dict) or hasattr(model, "to_dict"):
            return to_yaml(model), None
        raise TypeError(f"model must be a file path, model text, a dict or a Network, got {type(model).__name__}")

    def status(self, job: str) -> dict:
        """The job's status: ``job``, ``state`` (``queued``, ``building``, ``running``, ``recovering``,
        ``finished``, ``failed``, ``cancelled``), ``partitions``, ``step``, ``total_steps``, ``biological_ms``,
        ``total_ms``, ``wall_seconds``, ``realtime_factor`` (None before it runs) and ``error`` (None unless it
        failed). Raises :class:`DistSnnError` (404) for an unknown job."""
        return self._json("GET", self._job_path(job))

    def jobs(self) -> list[dict]:
        """Every job the cluster knows, each as :meth:`status` gives it."""
        return self._json("GET", "/jobs")

    def cancel(self, job: str) -> dict:
        """Cancels a queued or running job and returns its status afterwards (a job that has ended keeps its
        state). Raises :class:`DistSnnError` (404) for an unknown job."""
        return self._json("DELETE", self._job_path(job))

    def wait(self, job: str, timeout: Optional[float] = None, *, poll: float = 0.5) -> dict:
        """Waits until the job has ended (finished, failed or cancelled) and returns its final status.

        Polls every ``poll`` seconds at most (quicker at first, so that short jobs come back promptly). Raises
        ``TimeoutError`` when the job is still active after ``timeout`` seconds (None: no limit); the job goes on.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        interval = 0.05
        while True:
            status = self.status(job)
            if status["state"] not in ACTIVE_STATES:
                return status
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job {job} is still {status['state']} after {timeout} s "
                                   f"(step {status['step']} of {status['total_steps']})")
            pause = interval if deadline is None else min(interval, max(0.0, deadline - time.monotonic()))
            time.sleep(pause)
            interval = min(interval * 2, poll)

    def results(self, job: str, out: Union[str, os.PathLike, None] = None) -> Results:
        """A finished job's results. With ``out`` the results folder is also written there (as
        ``distsnn results JOB --out DIR`` does, without plots) and read from it; otherwise it is read in memory.
        Raises :class:`DistSnnError` (409 when the job has not finished, 404 when unknown)."""
        _, data = self._request("GET", self._job_path(job, "/results"))
        if out is None:
            return results_from_zip(data)
        os.makedirs(out, exist_ok=True)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            root = os.path.realpath(out)
            for name in z.namelist():
                # Entries stay inside the folder.
                target = os.path.realpath(os.path.join(root, name))
                if not (target == root or target.startswith(root + os.sep)):
                    raise ValueError(f"results archive entry '{name}' points outside the folder")
            z.extractall(root)
        return read_results(out)
