"""Redis restarted mid-run (a dedicated redis-server with no persistence, so every queued job is lost):
the run completes and every line is delivered exactly once; the database is the truth and the reaper
re-enqueues takes whose job vanished."""
import shutil
import socket
import subprocess
import time

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Run, Take
from tests.conftest import TEST_REDIS, Api
from tests.engine.conftest import espeak_definition, lines_text, make_workflow, start, wait_for

N = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, port: int, workdir):
        self.port, self.workdir, self.proc = port, workdir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def private_redis(tmp_path):
    assert shutil.which("redis-server"), "redis-server is required (scripts/test.sh installs it)"
    server = RedisServer(_free_port(), tmp_path).start()
    yield server
    server.kill()


def _done(run_id) -> int:
    db.session.rollback()
    return int(db.session.scalar(select(func.count()).select_from(Take).where(
        Take.run_id == run_id, Take.node_id == "gen", Take.status == "done")) or 0)


def _run_until_killed(api2, private_redis, workers, n=N):
    wf = make_workflow(api2, espeak_definition(lines_text(n)), name="Redis restart")
    workers.start(2, workers.log_dir, REDIS_URL=private_redis.url)
    run = start(api2, wf["id"])                     # enqueued into the private Redis
    deadline = time.time() + 90
    while _done(run["id"]) < n * 0.3:
        assert time.time() < deadline, "the run did not get going"
        time.sleep(0.05)
    private_redis.kill()                            # every queued job is gone with it
    lost_at = _done(run["id"])
    time.sleep(2)
    private_redis.start()
    assert lost_at < n, "the restart came too late to matter"
    return run


@pytest.fixture
def api2(owner_key, private_redis):
    app2 = create_app({"TESTING": True, "REDIS_URL": private_redis.url, "RATELIMIT_STORAGE_URI": TEST_REDIS})
    return Api(app2.test_client(), owner_key)


def test_a_redis_restart_mid_run_loses_nothing(api2, private_redis, workers):
    """Workers that die with Redis are replaced, as a process supervisor would (see the next test)."""
    run = _run_until_killed(api2, private_redis, workers)
    deadline, replaced = time.time() + 120, 0
    while time.time() < deadline:
        db.session.rollback()
        if db.session.get(Run, run["id"]).status in ("completed", "failed", "cancelled"):
            break
        alive = [p for p in workers.procs if p.poll() is None]
        if len(alive) < 2:
            workers.start(2 - len(alive), workers.log_dir, REDIS_URL=private_redis.url)
            replaced += 2 - len(alive)
        time.sleep(0.5)
    row = wait_for(run["id"], timeout=1)
    assert row.status == "completed", row.error
    db.session.rollback()
    sinks = db.session.scalars(select(Take).where(Take.run_id == run["id"], Take.node_id == "out")).all()
    assert sorted(t.line_index for t in sinks) == list(range(N)) and all(t.status == "done" for t in sinks)
    gens = db.session.scalars(select(Take).where(Take.run_id == run["id"], Take.node_id == "gen")).all()
    assert sorted(t.line_index for t in gens) == list(range(N)) and all(t.status == "done" for t in gens)
    print(f"\nworkers replaced after the Redis restart: {replaced}")


def test_workers_survive_a_redis_restart(api2, private_redis, workers):
    run = _run_until_killed(api2, private_redis, workers, n=80)
    time.sleep(3)
    assert all(p.poll() is None for p in workers.procs), "a worker died with Redis"
    assert wait_for(run["id"], timeout=90).status == "completed"
