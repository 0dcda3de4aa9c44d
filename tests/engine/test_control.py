"""Pause, resume and cancel against long-running worker processes (real espeak-ng, a TEST validator
that always passes so that the run has a second wave to hold)."""
import time
from collections import Counter

from sqlalchemy import func, select

from app.extensions import db
from app.models import LedgerEntry, Run, Take
from app.services import credits
from tests.conftest import assert_envelope, assert_error
from tests.engine.conftest import espeak_definition, lines_text, make_workflow, start, synthesized, wait_for

N = 60


def _url(wf, run, action=""):
    return f"/api/v1/workflows/{wf['id']}/runs/{run['id']}" + (f"/{action}" if action else "")


def _count(run_id, **where) -> int:
    db.session.rollback()
    q = select(func.count()).select_from(Take).where(Take.run_id == run_id)
    for k, v in where.items():
        col = getattr(Take, k)
        q = q.where(col.in_(v) if isinstance(v, (list, tuple)) else col == v)
    return int(db.session.scalar(q) or 0)


def _wait_until(pred, timeout=60, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(step)
    raise AssertionError("condition not reached")


def _validated(n=N):
    return espeak_definition(lines_text(n), validator={"type": "validator_noise", "config": {"threshold": 0}})


def _ledger_ok(run_id):
    db.session.rollback()
    row = db.session.get(Run, run_id)
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.run_id == run_id)).all()
    assert sum(e.amount for e in entries) == -row.credits
    assert -sum(e.amount for e in entries if e.kind == "settle") == row.credits
    assert credits.held(db.session.get(LedgerEntry, row.reservation_id)) == 0
    return row


def test_pause_drains_the_wave_then_resume_finishes_without_re_running(owner_api, workers):
    wf = make_workflow(owner_api, _validated())
    run = start(owner_api, wf["id"])
    workers.start(1, workers.log_dir)
    _wait_until(lambda: _count(run["id"], node_id="gen", status="done") >= 5)
    paused = assert_envelope(owner_api.post(_url(wf, run, "pause")))["data"]
    assert paused["status"] == "running" and paused["pause_requested_at"], paused     # pausing: mid-wave
    again = assert_envelope(owner_api.post(_url(wf, run, "pause")))["data"]            # idempotent
    assert again["pause_requested_at"] == paused["pause_requested_at"] and again["status"] in ("running", "paused")
    assert_error(owner_api.post(_url(wf, run, "resume")), 409, "RUN_NOT_PAUSED")     # running: not resumable
    row = wait_for(run["id"], ("paused", "completed", "failed", "cancelled"), timeout=60)
    assert row.status == "paused"
    # the wave drained: every line generated, none validated or delivered, the validator held
    assert _count(run["id"], node_id="gen", status="done") == N
    assert _count(run["id"], node_id="val", status="pending") == N
    assert _count(run["id"], node_id="out") == 0
    status = assert_envelope(owner_api.get(_url(wf, run, "status")))["data"]
    assert status["status"] == "paused" and status["paused_at"] and status["held_nodes"] == [
        {"node_id": "val", "locales": ["en-us"]}]
    time.sleep(2)                                           # parked means parked: nothing moves
    assert _count(run["id"], node_id="val", status="pending") == N
    assert assert_envelope(owner_api.post(_url(wf, run, "pause")))["data"]["status"] == "paused"   # idempotent
    gen_ids = {t.id for t in db.session.scalars(select(Take).where(Take.run_id == run["id"], Take.node_id == "gen"))}
    resumed = assert_envelope(owner_api.post(_url(wf, run, "resume")))["data"]
    assert resumed["status"] == "running" and resumed["pause_requested_at"] is None and resumed["paused_ms"] > 0
    row = wait_for(run["id"], timeout=60)
    assert row.status == "completed", row.error
    # no completed node re-ran: the same generator takes, one synthesis per line
    db.session.rollback()
    gens = db.session.scalars(select(Take).where(Take.run_id == run["id"], Take.node_id == "gen")).all()
    assert {t.id for t in gens} == gen_ids and all(t.synth_calls == 1 for t in gens)
    synth = Counter(s["line"] for s in synthesized(workers.text(), run["id"]))
    assert synth == Counter({i: 1 for i in range(N)})
    assert _count(run["id"], node_id="out", status="done") == N
    steps = assert_envelope(owner_api.get(_url(wf, run, "steps")))["data"]
    assert [(s["node_id"], s["iteration"], s["status"]) for s in steps] == [
        ("src", 1, "completed"), ("gen", 1, "completed"), ("val", 1, "completed"), ("out", 1, "completed")]
    _ledger_ok(run["id"])


def test_pause_of_a_pending_run_parks_at_once_and_resume_starts_it(owner_api, workers):
    wf = make_workflow(owner_api, espeak_definition(lines_text(3)))
    run = start(owner_api, wf["id"])                         # no worker yet: pending
    paused = assert_envelope(owner_api.post(_url(wf, run, "pause")))["data"]
    assert paused["status"] == "paused" and paused["paused_at"] and paused["pause_requested_at"]
    assert assert_envelope(owner_api.post(_url(wf, run, "pause")))["data"]["paused_at"] == paused["paused_at"]
    workers.start(1, workers.log_dir)
    time.sleep(3)                                            # the start job runs and must leave it parked
    db.session.rollback()
    assert db.session.get(Run, run["id"]).status == "paused" and _count(run["id"]) == 0
    resumed = assert_envelope(owner_api.post(_url(wf, run, "resume")))["data"]
    assert resumed["status"] in ("pending", "running")
    row = wait_for(run["id"], timeout=60)
    assert row.status == "completed" and _count(run["id"], node_id="out", status="done") == 3
    _ledger_ok(run["id"])


def test_resume_refuses_while_another_run_of_the_workflow_is_active(owner_api):
    wf = make_workflow(owner_api, espeak_definition(lines_text(2)))
    first = start(owner_api, wf["id"])
    assert_envelope(owner_api.post(_url(wf, first, "pause")))
    # a paused run is active: no second run; and a terminal run cannot be paused
    assert_error(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"), 409, "RUN_ALREADY_ACTIVE")
    assert_envelope(owner_api.post(_url(wf, first, "cancel")))
    assert_error(owner_api.post(_url(wf, first, "pause")), 409)
    assert_error(owner_api.post(_url(wf, first, "resume")), 409, "RUN_NOT_PAUSED")


def test_cancel_of_a_pending_run_releases_the_whole_hold(owner_api, owner, workers):
    wf = make_workflow(owner_api, espeak_definition(lines_text(3)))
    credits.ensure_period_grant(owner)
    db.session.commit()
    before = credits.balance(owner.id)
    run = start(owner_api, wf["id"])
    assert credits.balance(owner.id) < before
    out = assert_envelope(owner_api.post(_url(wf, run, "cancel")))["data"]
    assert out["status"] == "cancelled" and out["completed_at"] and out["credits"] == 0
    assert credits.balance(owner.id) == before
    again = assert_envelope(owner_api.post(_url(wf, run, "cancel")))["data"]      # idempotent
    assert again["status"] == "cancelled" and again["completed_at"] == out["completed_at"]
    workers.start(1, workers.log_dir)
    time.sleep(2)
    assert _count(run["id"]) == 0 and db.session.get(Run, run["id"]).status == "cancelled"
    _ledger_ok(run["id"])


def test_cancel_of_a_running_run_stops_at_once_and_settles_what_was_done(owner_api, owner, workers):
    wf = make_workflow(owner_api, _validated())
    credits.ensure_period_grant(owner)
    db.session.commit()
    before = credits.balance(owner.id)
    run = start(owner_api, wf["id"])
    workers.start(2, workers.log_dir)
    _wait_until(lambda: _count(run["id"], node_id="gen", status="done") >= 5)
    out = assert_envelope(owner_api.post(_url(wf, run, "cancel")))["data"]
    assert out["status"] == "cancelled"
    assert "lines_delivered" in (out["usage_summary"] or {}) and "locales" in out["usage_summary"]   # reported like any finished run
    assert _count(run["id"], status=["pending", "running"]) == 0
    cancelled = _count(run["id"], status="cancelled")
    assert cancelled > 0
    done_at_cancel = _count(run["id"], status="done")
    time.sleep(3)                      # in-flight work is abandoned: nothing else finishes or appears
    assert _count(run["id"], status="done") == done_at_cancel
    assert _count(run["id"], status=["pending", "running"]) == 0
    row = _ledger_ok(run["id"])
    assert row.status == "cancelled" and credits.balance(owner.id) == before - row.credits
    assert assert_envelope(owner_api.post(_url(wf, run, "cancel")))["data"]["status"] == "cancelled"


def test_cancel_of_a_paused_run(owner_api, workers):
    wf = make_workflow(owner_api, _validated(30))
    run = start(owner_api, wf["id"])
    workers.start(1, workers.log_dir)
    _wait_until(lambda: _count(run["id"], node_id="gen", status="done") >= 3)
    assert_envelope(owner_api.post(_url(wf, run, "pause")))
    assert wait_for(run["id"], ("paused", "completed"), timeout=60).status == "paused"
    out = assert_envelope(owner_api.post(_url(wf, run, "cancel")))["data"]
    assert out["status"] == "cancelled" and out["held_nodes"] is None
    assert _count(run["id"], node_id="val", status="cancelled") == 30 and _count(run["id"], node_id="out") == 0
    _ledger_ok(run["id"])


def test_cancel_of_a_completed_run_returns_it_unchanged(owner_api, workers):
    wf = make_workflow(owner_api, espeak_definition(lines_text(2)))
    run = start(owner_api, wf["id"])
    workers.start(1, workers.log_dir)
    row = wait_for(run["id"], timeout=60)
    assert row.status == "completed"
    before = assert_envelope(owner_api.get(_url(wf, run)))["data"]
    ledger = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    out = assert_envelope(owner_api.post(_url(wf, run, "cancel")))["data"]
    assert out["status"] == "completed" and out["completed_at"] == before["completed_at"]
    assert out["credits"] == before["credits"] and out["updated_at"] == before["updated_at"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == ledger
