"""Engine benchmark: the run engine against raw espeak-ng synthesis, side by side in one run.

    .venv/bin/python bench/engine_bench.py [--lines 1000] [--database-url postgresql://...]

(a) raw: the script synthesised by espeak-ng in-process, in 1 and in 2 processes (engines warm);
(b) engine: the same script as a run (source → generator → sink) with 1 and with 2 worker processes
    (workers started and warm before the clock starts; the clock runs from launch to completed).
Prints the times, the engine overhead (run / raw with the same number of processes) and the
2-vs-1 speed-up. Targets: overhead ≤ 1.3×, speed-up ≥ 1.7×. Needs PostgreSQL and redis-server.

The machine is shared, so wall times move with whatever else runs. The CPU rows are steadier: CPU
seconds per line of the raw processes, and of the run's worker processes plus the PostgreSQL backends
of the benchmark database plus redis-server (read from /proc; Linux only).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = str(Path(sys.executable).parent / "onepin-server")

WORDS = ("the quick brown fox jumps over a lazy dog while seven bright stars shine above quiet hills and "
         "calm rivers carry small boats toward the distant harbour where friendly people wait").split()


def script(n: int) -> list[str]:
    out = []
    for i in range(n):
        k = 6 + (i * 7) % 9
        words = [WORDS[(i * 3 + j * 5) % len(WORDS)] for j in range(k)]
        out.append(f"Line {i + 1}: " + " ".join(words).capitalize() + ".")
    return out


def definition(lines: list[str]) -> dict:
    """source → espeak-ng generator → WAV sink, the script as the source's text."""
    return {"graph": {"nodes": [
        {"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": "\n".join(lines)}},
        {"id": "gen", "type": "operator_generator", "position": {"x": 250, "y": 0}, "config": {
            "voice_map": {"en-us": [{"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"}]}}},
        {"id": "out", "type": "sink_preview", "position": {"x": 500, "y": 0}, "config": {"format": "wav"}}],
        "edges": [{"id": "e1", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
                  {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "out", "targetPort": "lines"}]}}


def _raw_worker(lines, ready, go, done, post, out_dir):
    from app.speech import audio_checks, warm_up
    from app.speech.tts import get_engine
    from app.storage.local import LocalStore
    engine = get_engine("espeak")
    store = LocalStore(out_dir)
    warm_up()
    ready.set()
    go.wait()
    cpu = time.process_time()
    for i, line in enumerate(lines):
        clip = engine.synthesize(line, "en-us")
        if post:   # what the generator does to every take, done by hand: checks, loudness, WAV into the store
            _, wav = audio_checks.inspect_to_wav(clip, line)     # None for a take that fails its checks
            if wav is not None:
                store.put_bytes(f"ws/bench/raw/{os.getpid()}-{i:05d}.wav", wav, "audio/wav")
    done.put(time.process_time() - cpu)


def raw(lines: list[str], processes: int, post: bool = False, out_dir: str = "/tmp") -> tuple[float, float]:
    """Wall seconds and CPU seconds (all processes) for the script."""
    ctx = mp.get_context("spawn")
    go, done = ctx.Event(), ctx.Queue()
    readies, procs = [], []
    for k in range(processes):
        ready = ctx.Event()
        p = ctx.Process(target=_raw_worker, args=(lines[k::processes], ready, go, done, post, out_dir))
        p.start()
        readies.append(ready)
        procs.append(p)
    for r in readies:
        r.wait(60)
    start = time.perf_counter()
    go.set()
    cpu = sum(done.get(timeout=600) for _ in procs)
    elapsed = time.perf_counter() - start
    for p in procs:
        p.join()
    return elapsed, cpu


def _cpu_seconds(pid: int) -> float:
    """user + system CPU seconds of a process (all its threads), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backends(admin, database: str) -> list[int]:
    from sqlalchemy import text
    with admin.connect() as c:
        return [r[0] for r in c.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": database})]


def _wait_for_workers(redis_url: str, n: int, timeout: float = 180) -> None:
    """Workers register with RQ once their engines are loaded (warm_up runs first)."""
    from redis import Redis
    from rq import Worker
    conn = Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while Worker.count(connection=conn) < n:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{n} workers did not start in {timeout:.0f} s")
        time.sleep(0.2)
    time.sleep(0.5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_workflow(lines: list[str], name: str):
    """A new account (custom plan: no limits), its workspace and the benchmark workflow, committed; needs an
    app context. A workspace of its own per run: nothing is reused from an earlier run."""
    from app.extensions import db
    from app.models import Membership
    from app.services import accounts, workflows
    from app.services import workspaces as ws_svc
    user = accounts.sign_up({"email": f"bench-{time.time_ns()}@example.com", "password": "bench password"},
                            plan="custom")
    ws = ws_svc.create(user, {"name": name}, enforce_plan=False)
    member = db.session.scalar(db.select(Membership).filter_by(workspace_id=ws.id, user_id=user.id))
    wf = workflows.create(ws, member, user, {"name": "bench", "definition": definition(lines)})
    db.session.commit()
    return ws, member, user, wf


def engine(lines: list[str], workers: int, env: dict, admin=None, redis_pid: int | None = None) -> tuple[float, dict]:
    from app import create_app
    from app.engine.launcher import start_run
    from app.extensions import db
    from app.models import Run, Take
    app = create_app()
    procs = []
    logs = []
    for k in range(workers):
        log = open(Path(env["ONEPIN_DATA_DIR"]) / f"worker-{workers}-{k}.log", "w")
        logs.append(log)
        procs.append(subprocess.Popen([BIN, "worker", "--queues", "engine,default"], env=env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True))
    _wait_for_workers(env["REDIS_URL"], workers)     # up, engines loaded: off the clock
    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    try:
        with app.app_context():
            ws, m, user, wf = new_workflow(lines, f"Bench {workers}")
            cpu0 = {p.pid: _cpu_seconds(p.pid) for p in procs}
            if redis_pid:
                cpu0["redis"] = _cpu_seconds(redis_pid)
            if admin is not None:
                cpu0.update({("pg", pid): _cpu_seconds(pid) for pid in _backends(admin, database)})
            with app.test_request_context("/"):
                start = time.perf_counter()
                run, _ = start_run(ws, m, user, wf, {})
                db.session.commit()
            run_id = run.id
            while True:
                db.session.rollback()
                status = db.session.scalar(db.select(Run.status).where(Run.id == run_id))
                if status in ("completed", "failed", "cancelled"):
                    break
                time.sleep(0.05)
            elapsed = time.perf_counter() - start
            cpu = {"workers": sum(_cpu_seconds(p.pid) - cpu0[p.pid] for p in procs)}
            if redis_pid:
                cpu["redis"] = _cpu_seconds(redis_pid) - cpu0["redis"]
            if admin is not None:
                cpu["postgres"] = sum(_cpu_seconds(pid) - cpu0.get(("pg", pid), 0.0)
                                      for pid in _backends(admin, database))
            delivered = db.session.scalar(db.select(db.func.count()).select_from(Take).where(
                Take.run_id == run_id, Take.node_type == "sink_preview", Take.status == "done"))
            return elapsed, {"status": status, "delivered": delivered, "cpu": cpu}
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait(30)
        for log in logs:
            log.close()


@contextmanager
def services(database_url: str):
    """A private redis-server and an empty, migrated database for one benchmark; yields the environment the
    app and its workers run with (also set in this process), an admin engine, and the redis process."""
    tmp = Path(tempfile.mkdtemp(prefix="onepin-bench-"))
    port = _free_port()
    redis = subprocess.Popen([shutil.which("redis-server"), "--port", str(port), "--save", "", "--appendonly", "no",
                              "--dir", str(tmp)], stdout=subprocess.DEVNULL)
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=f"redis://127.0.0.1:{port}/0",
               ONEPIN_DATA_DIR=str(tmp), SECRET_KEY="bench", ONEPIN_ARGON2_FAST="1")
    os.environ.update(env)
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    url = make_url(database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            c.execute(text(f'CREATE DATABASE "{url.database}"'))
        subprocess.run([BIN, "migrate"], env=env, check=True, capture_output=True)
        yield env, admin, redis
    finally:
        redis.terminate()
        admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/onepin_bench")
    args = parser.parse_args()
    lines = script(args.lines)
    with services(args.database_url) as (env, admin, redis):
        tmp = Path(env["ONEPIN_DATA_DIR"])
        results, cpu = {}, {}
        wav_dir = tmp / "hand"
        wav_dir.mkdir()
        for n in (1, 2):
            results[("raw", n)], cpu[("raw", n)] = raw(lines, n)
            results[("post", n)], cpu[("post", n)] = raw(lines, n, post=True, out_dir=str(wav_dir))
            results[("run", n)], info = engine(lines, n, env, admin, redis.pid)
            assert info["status"] == "completed" and info["delivered"] == len(lines), info
            cpu[("run", n)] = sum(info["cpu"].values())
            cpu[("run-parts", n)] = info["cpu"]
        print(f"\nEngine benchmark: {len(lines)} lines, espeak-ng en-us, {os.cpu_count()} CPUs\n")
        print(f"{'':34}{'1 process':>12}{'2 processes':>14}")
        rows = [("raw espeak synthesis", "raw"), ("synthesis + same audio work by hand", "post"),
                ("run (source→generator→sink)", "run")]
        for label, key in rows:
            print(f"{label:34}{results[(key, 1)]:>11.2f}s{results[(key, 2)]:>13.2f}s")
        for label, key in (("overhead vs raw synthesis", "raw"), ("overhead vs synthesis + audio work", "post")):
            o1, o2 = results[("run", 1)] / results[(key, 1)], results[("run", 2)] / results[(key, 2)]
            print(f"{label:34}{o1:>11.2f}x{o2:>13.2f}x   target <= 1.30x")
        speedup = results[("run", 1)] / results[("run", 2)]
        raw_speedup = results[("raw", 1)] / results[("raw", 2)]
        print(f"{'speed-up of the run, 2 vs 1':34}{'':>12}{speedup:>13.2f}x   target >= 1.70x (raw: {raw_speedup:.2f}x)")
        print(f"{'per line, run':34}{results[('run', 1)] / len(lines) * 1000:>10.1f}ms"
              f"{results[('run', 2)] / len(lines) * 1000:>12.1f}ms")
        per = 1000 / len(lines)
        print(f"\nCPU per line (ms)                 {'1 process':>12}{'2 processes':>14}")
        for label, key in rows:
            print(f"{label:34}{cpu[(key, 1)] * per:>10.2f}ms{cpu[(key, 2)] * per:>12.2f}ms")
        for part in ("workers", "postgres", "redis"):
            print(f"{'  of which ' + part:34}{cpu[('run-parts', 1)].get(part, 0) * per:>10.2f}ms"
                  f"{cpu[('run-parts', 2)].get(part, 0) * per:>12.2f}ms")
        for label, key in (("CPU overhead vs raw synthesis", "raw"), ("CPU overhead vs synthesis + audio", "post")):
            print(f"{label:34}{cpu[('run', 1)] / cpu[(key, 1)]:>11.2f}x{cpu[('run', 2)] / cpu[(key, 2)]:>13.2f}x")
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
