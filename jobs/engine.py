"""Run-engine jobs: they carry ids only."""
from jobs import app_context


def start_run(run_id: str) -> str:
    with app_context():
        from app.engine.launcher import begin
        return begin(run_id)


def run_takes(run_id: str, take_ids: list) -> dict:
    with app_context():
        from app.engine.executor import run_takes as run
        return run(run_id, take_ids)


def reap() -> dict:
    with app_context():
        from app.engine.leases import reap as do_reap
        return do_reap()
