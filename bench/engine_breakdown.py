"""Where a run's time goes beyond synthesis: the benchmark's run drained by one in-process worker, with a
timer on each stage of the engine, next to raw synthesis in the same process.

    .venv/bin/python bench/engine_breakdown.py [--lines 400] [--repeats 3] [--database-url postgresql://...]

`engine_bench.py` gives the ratios the targets are about; this says which part of the difference is which
(ms per line, summed over the repeats and divided by lines x repeats). Timers are inclusive: a stage's figure
contains the stages it calls (Generator.process contains synthesize, inspect_to_wav and put_bytes). The RQ
worker runs in this process (burst mode, SimpleWorker), so the figures are the worker's own; PostgreSQL's
time shows up as the waits inside the database stages. Minimum over repeats for the totals: this machine is
shared and moves by 10-20 % from run to run, so compare stages within one run, not across runs.
"""
from __future__ import annotations

import argparse
import functools
import logging
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine_bench import new_workflow, script, services  # noqa: E402

SPENT: Counter = Counter()
CALLS: Counter = Counter()

# (module, owner attribute or None for the module itself, function): the stages timed
STAGES = [
    ("rq.worker.base", "BaseWorker", "perform_job"),
    ("app.engine.launcher", None, "begin"),
    ("app.engine.executor", None, "run_takes"),
    ("app.engine.leases", None, "claim"),
    ("app.engine.executor", None, "_prepare"),
    ("app.engine.plugins.generator", "Generator", "process"),
    ("app.speech.tts.espeak", "EspeakEngine", "synthesize"),
    ("app.speech.audio_checks", None, "inspect_to_wav"),
    ("app.storage.local", "LocalStore", "put_bytes"),
    ("app.engine.executor", None, "_store"),
    ("app.engine.scheduler", None, "route"),
    ("app.engine.scheduler", None, "insert_new_takes"),
    ("app.engine.billing", None, "settle_takes"),
    ("app.engine.scheduler", None, "advance"),
]


def _timed(label: str, fn):
    @functools.wraps(fn)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[label] += time.perf_counter() - started
            CALLS[label] += 1
    return timed


def install_timers() -> None:
    import importlib
    for module_name, owner_name, name in STAGES:
        module = importlib.import_module(module_name)
        owner = getattr(module, owner_name) if owner_name else module
        setattr(owner, name, _timed(f"{owner_name or module_name.rsplit('.', 1)[-1]}.{name}", getattr(owner, name)))


def drain(redis_url: str) -> None:
    from redis import Redis
    from rq import Queue, SimpleWorker
    conn = Redis.from_url(redis_url)
    SimpleWorker([Queue(q, connection=conn) for q in ("engine", "default")], connection=conn).work(
        burst=True, with_scheduler=False, logging_level="WARNING")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/onepin_bench")
    parser.add_argument("--batch-size", type=int, help="the generator's takes per job (default: its own)")
    args = parser.parse_args()
    lines = script(args.lines)
    with services(args.database_url) as (env, _admin, _redis):
        from app import create_app
        from app.engine.launcher import start_run
        from app.extensions import db
        from app.models import Run
        from app.speech import warm_up
        from app.speech.tts import get_engine
        app = create_app()
        if args.batch_size:
            from app.engine.plugins.generator import Generator
            Generator.batch_size = args.batch_size
        warm_up()                         # engines, native kernels, allocator: as a worker does before its first take
        install_timers()
        logging.disable(logging.INFO)     # a worker logs each take; its cost is not what this measures
        engine = get_engine("espeak")
        raw_runs, engine_runs = [], []
        for k in range(args.repeats):
            started = time.perf_counter()
            for line in lines:
                engine.synthesize(line, "en-us")
            raw_runs.append(time.perf_counter() - started)
            with app.app_context():
                ws, member, user, wf = new_workflow(lines, f"Breakdown {k}")
                with app.test_request_context("/"):
                    started = time.perf_counter()
                    run, _ = start_run(ws, member, user, wf, {})
                    db.session.commit()
                    run_id = run.id
            drain(env["REDIS_URL"])
            engine_runs.append(time.perf_counter() - started)
            with app.app_context():
                status = db.session.scalar(db.select(Run.status).where(Run.id == run_id))
            assert status == "completed", status
    per = 1000 / len(lines)
    raw_ms, run_ms = min(raw_runs) * per, min(engine_runs) * per
    from app.engine.plugins.generator import Generator
    print(f"\n{len(lines)} lines x {args.repeats}, one in-process worker, {Generator.batch_size} takes a job\n")
    print(f"raw synthesis {raw_ms:6.2f} ms a line   run {run_ms:6.2f} ms a line   ratio {run_ms / raw_ms:.2f}x\n")
    print(f"{'stage (inclusive)':32}{'ms a line':>10}{'calls':>8}")
    runs = len(lines) * args.repeats
    spent = dict(SPENT)
    spent["EspeakEngine.synthesize"] -= sum(raw_runs)          # the raw loop called it too
    for label, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"{label:32}{seconds * 1000 / runs:>10.3f}{CALLS[label]:>8}")

if __name__ == "__main__":
    main()
