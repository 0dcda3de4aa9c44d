"""Engine benchmark: the run engine against raw espeak-ng synthesis, side by side in one run.

    .venv/bin/python bench/engine_bench.py [--lines 1000] [--database-url postgresql://...]

(a) raw: the script synthesised by espeak-ng in-process, in 1 and in 2 processes (engines warm);
(b) engine: the same script as a run (source → generator → sink) with 1 and with 2 worker processes
    (workers started and warm before the clock starts; the clock runs from launch to completed).
Prints the times, the engine overhead (run / raw with the same number of processes) and the
2-vs-1 speed-up. Targets: overhead ≤ 1.3×, speed-up ≥ 1.7×. Needs PostgreSQL and redis-server.
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


def _raw_worker(lines, ready, go, done, post, out_dir):
    from app.speech import audio as A
    from app.speech import warm_up
    from app.speech.tts import get_engine
    engine = get_engine("espeak")
    warm_up()
    ready.set()
    go.wait()
    for i, line in enumerate(lines):
        clip = engine.synthesize(line, "en-us")
        if post:   # what the generator does to every take, done by hand: checks, loudness, WAV file
            A.is_silent(clip)
            A.duration_plausible(clip, line)
            clip = A.loudness_normalize(clip).audio
            A.clipping_ratio(clip)
            Path(out_dir, f"{os.getpid()}-{i}.wav").write_bytes(A.to_wav_bytes(clip))
    done.put(os.getpid())


def raw(lines: list[str], processes: int, post: bool = False, out_dir: str = "/tmp") -> float:
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
    for _ in procs:
        done.get(timeout=600)
    elapsed = time.perf_counter() - start
    for p in procs:
        p.join()
    return elapsed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def engine(lines: list[str], workers: int, env: dict) -> tuple[float, dict]:
    from app import create_app
    from app.engine.launcher import start_run
    from app.extensions import db
    from app.models import Membership, Run, Take
    from app.services import accounts, workflows
    from app.services import workspaces as ws_svc
    app = create_app()
    procs = []
    logs = []
    for k in range(workers):
        log = open(Path(env["ONEPIN_DATA_DIR"]) / f"worker-{workers}-{k}.log", "w")
        logs.append(log)
        procs.append(subprocess.Popen([BIN, "worker", "--queues", "engine,default"], env=env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True))
    time.sleep(4)  # workers up, engines loaded
    try:
        with app.app_context():
            user = accounts.sign_up({"email": f"bench{workers}-{time.time_ns()}@example.com",
                                     "password": "bench password"}, plan="custom")
            ws = ws_svc.create(user, {"name": f"Bench {workers}"}, enforce_plan=False)
            m = db.session.scalar(db.select(Membership).filter_by(workspace_id=ws.id, user_id=user.id))
            defn = {"graph": {"nodes": [
                {"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": "\n".join(lines)}},
                {"id": "gen", "type": "operator_generator", "position": {"x": 250, "y": 0}, "config": {
                    "voice_map": {"en-us": [{"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"}]}}},
                {"id": "out", "type": "sink_preview", "position": {"x": 500, "y": 0}, "config": {"format": "wav"}}],
                "edges": [{"id": "e1", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
                          {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "out", "targetPort": "lines"}]}}
            wf = workflows.create(ws, m, user, {"name": "bench", "definition": defn})
            db.session.commit()
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
            delivered = db.session.scalar(db.select(db.func.count()).select_from(Take).where(
                Take.run_id == run_id, Take.node_type == "sink_preview", Take.status == "done"))
            return elapsed, {"status": status, "delivered": delivered}
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait(30)
        for log in logs:
            log.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/onepin_bench")
    args = parser.parse_args()
    lines = script(args.lines)
    tmp = Path(tempfile.mkdtemp(prefix="onepin-bench-"))
    port = _free_port()
    redis = subprocess.Popen([shutil.which("redis-server"), "--port", str(port), "--save", "", "--appendonly", "no",
                              "--dir", str(tmp)], stdout=subprocess.DEVNULL)
    env = dict(os.environ, DATABASE_URL=args.database_url, REDIS_URL=f"redis://127.0.0.1:{port}/0",
               ONEPIN_DATA_DIR=str(tmp), SECRET_KEY="bench", ONEPIN_ARGON2_FAST="1")
    os.environ.update(env)
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    url = make_url(args.database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    subprocess.run([BIN, "migrate"], env=env, check=True, capture_output=True)
    try:
        results = {}
        wav_dir = tmp / "hand"
        wav_dir.mkdir()
        for n in (1, 2):
            results[("raw", n)] = raw(lines, n)
            results[("post", n)] = raw(lines, n, post=True, out_dir=str(wav_dir))
            results[("run", n)], info = engine(lines, n, env)
            assert info["status"] == "completed" and info["delivered"] == len(lines), info
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
    finally:
        redis.terminate()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
