"""Engine tests: real RQ worker processes (onepin-server worker) against the test database and Redis."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Run
from tests.conftest import TEST_DB, TEST_REDIS
import tests.engine.plugins  # noqa: F401,E402 - the test process accepts launches of the test node types

BIN = str(Path(sys.executable).parent / "onepin-server")
ROOT = str(Path(__file__).resolve().parents[2])
PLUGINS = "tests.engine.plugins"
SYNTH_RE = re.compile(r"synthesized take=(\S+) run=(\S+) node=(\S+) line=(\d+) locale=(\S+) attempt=(\d+)")


def worker_env(**extra) -> dict:
    env = dict(os.environ, DATABASE_URL=TEST_DB, REDIS_URL=TEST_REDIS, ONEPIN_LEASE_SECONDS="6",
               ONEPIN_REAP_SECONDS="1", ONEPIN_LOST_JOB_SECONDS="3", ONEPIN_ENGINE_PLUGINS=PLUGINS,
               PYTHONPATH=os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p))
    env.update(extra)
    return env


def run_burst(timeout: int = 300, **extra) -> subprocess.CompletedProcess:
    """One burst worker: processes every job (including the ones runs enqueue as they go) and exits."""
    return subprocess.run([BIN, "worker", "--burst", "--queues", "engine,default,email"], env=worker_env(**extra),
                          capture_output=True, text=True, timeout=timeout)


class Workers:
    """Long-running worker processes for tests that pause, kill or restart things."""

    def __init__(self):
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(self, n: int = 1, log_dir: Path | None = None, **extra):
        for _ in range(n):
            log = (log_dir or Path("/tmp")) / f"worker-{len(self.procs)}-{os.getpid()}.log"
            fh = open(log, "w")
            self.procs.append(subprocess.Popen([BIN, "worker", "--queues", "engine,default,email"],
                                               env=worker_env(**extra), stdout=fh, stderr=subprocess.STDOUT,
                                               start_new_session=True))
            self.logs.append(log)
        return self

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()

    def text(self) -> str:
        return "".join(p.read_text() for p in self.logs if p.exists())


@pytest.fixture
def workers(tmp_path):
    w = Workers()
    w.log_dir = tmp_path
    yield w
    w.stop()


def wait_for(run_id: str, statuses=("completed", "failed", "cancelled"), timeout: float = 120) -> Run:
    deadline = time.time() + timeout
    while time.time() < deadline:
        db.session.rollback()
        run = db.session.get(Run, run_id)
        db.session.refresh(run)
        if run.status in statuses:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} is {run.status}, wanted {statuses}")


def espeak_definition(text: str, *, voice: str = "en-us", validator: dict | None = None, fmt: str = "wav") -> dict:
    nodes = [
        {"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": text}},
        {"id": "gen", "type": "operator_generator", "position": {"x": 250, "y": 0},
         "config": {"voice_map": {"en-us": [{"voice_id": voice, "provider": "espeak", "model": "espeak-ng"}]}}},
        {"id": "out", "type": "sink_preview", "position": {"x": 500, "y": 0}, "config": {"format": fmt}},
    ]
    edges = [{"id": "e1", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
             {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "out", "targetPort": "lines"}]
    if validator:
        nodes.insert(2, {"id": "val", "type": validator["type"], "position": {"x": 400, "y": 0},
                         "config": validator.get("config", {})})
        edges[1] = {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "val", "targetPort": "lines"}
        edges.append({"id": "e3", "source": "val", "sourcePort": "pass", "target": "out", "targetPort": "lines"})
        if validator.get("fail_to"):
            edges.append({"id": "e4", "source": "val", "sourcePort": "fail", "target": validator["fail_to"],
                          "targetPort": "lines"})
    return {"graph": {"nodes": nodes, "edges": edges}}


def synthesized(log_text: str, run_id: str | None = None) -> list[dict]:
    """The generator's "synthesized take=..." log lines (one per real synthesis), parsed."""
    out = []
    for m in SYNTH_RE.finditer(log_text):
        take, run, node, line, locale, attempt = m.groups()
        if run_id is None or run == run_id:
            out.append({"take": take, "run": run, "node": node, "line": int(line), "locale": locale,
                        "attempt": int(attempt)})
    return out


def lines_text(n: int, prefix: str = "Line") -> str:
    """n distinct short lines (distinct so that no line reuses another's audio)."""
    words = ("amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "island", "juniper")
    return "\n".join(f"{prefix} {i + 1}: the {words[i % 10]} path number {i + 1}." for i in range(n))


def start(api, wf_id: str, json: dict | None = None, headers: dict | None = None, status: int = 202) -> dict:
    from tests.conftest import assert_envelope
    return assert_envelope(api.post(f"/api/v1/workflows/{wf_id}/runs", json=json, headers=headers), status)["data"]


def make_workflow(api, definition: dict, name: str = "Engine test") -> dict:
    from tests.conftest import assert_envelope
    return assert_envelope(api.post("/api/v1/workflows", json={"name": name, "definition": definition}), 201)["data"]
