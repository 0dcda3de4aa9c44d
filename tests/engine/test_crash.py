"""Crash recovery: 200 lines, two long-running workers, one SIGKILLed mid-run (its whole process group).
The run completes; every line is delivered exactly once; nothing but the killed worker's claimed takes
is synthesized twice; credits are settled exactly once; recovery is well under 60 s (6 s leases here)."""
import os
import signal
import socket
import time
from collections import Counter
from datetime import datetime, timezone

from sqlalchemy import func, select

from app.engine.billing import settled_credits
from app.extensions import db
from app.models import LedgerEntry, Run, Take
from app.services import credits, pricing
from tests.engine.conftest import espeak_definition, lines_text, make_workflow, start, synthesized, wait_for

N = 200
RECOVERY_LIMIT_S = 60


def _done(run_id) -> int:
    db.session.rollback()
    return int(db.session.scalar(select(func.count()).select_from(Take).where(
        Take.run_id == run_id, Take.node_id == "gen", Take.status == "done")) or 0)


def _claimed_by(run_id, pid) -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(Take.id).where(
        Take.run_id == run_id, Take.status == "running", Take.lease_owner == f"{socket.gethostname()}:{pid}")))


def test_a_sigkilled_worker_loses_nothing(owner_api, owner, workers):
    wf = make_workflow(owner_api, espeak_definition(lines_text(N)), name="Crash")
    credits.ensure_period_grant(owner)
    db.session.commit()
    balance_before = credits.balance(owner.id)
    workers.start(2, workers.log_dir)
    run = start(owner_api, wf["id"])
    # wait for ~30 % of the lines, with the victim holding claimed work
    deadline = time.time() + 120
    victim, in_flight = None, []
    while time.time() < deadline:
        if _done(run["id"]) >= N * 0.3:
            for proc in workers.procs:
                in_flight = _claimed_by(run["id"], proc.pid)
                if in_flight:
                    victim = proc
                    break
            if victim:
                break
        time.sleep(0.05)
    assert victim is not None, "no worker held claimed takes at 30 %"
    os.killpg(victim.pid, signal.SIGKILL)
    killed_at = datetime.now(timezone.utc)
    victim.wait(10)
    # what it held is exactly what it held a moment ago (it can no longer claim anything)
    in_flight = sorted(set(in_flight) | set(_claimed_by(run["id"], victim.pid)))
    row = wait_for(run["id"], timeout=150)
    assert row.status == "completed", row.error
    db.session.rollback()

    # every line delivered exactly once, from exactly one generator take
    sinks = db.session.scalars(select(Take).where(Take.run_id == run["id"], Take.node_id == "out")).all()
    assert sorted(t.line_index for t in sinks) == list(range(N)) and all(t.status == "done" for t in sinks)
    gens = db.session.scalars(select(Take).where(Take.run_id == run["id"], Take.node_id == "gen")).all()
    assert sorted((t.line_index, t.attempt) for t in gens) == [(i, 1) for i in range(N)]
    assert all(t.status == "done" and t.accepted and t.synth_calls == 1 for t in gens)
    assert {t.audio_take_id for t in sinks} == {t.id for t in gens}

    # no line was synthesized more than once except those in flight at the kill
    synth = Counter(s["take"] for s in synthesized(workers.text(), run["id"]))
    twice = {take_id for take_id, n in synth.items() if n > 1}
    assert twice <= set(in_flight), twice - set(in_flight)
    assert all(n <= 2 for n in synth.values()) and set(synth) == {t.id for t in gens}

    # recovery: the killed worker's takes were done within the limit
    by_id = {t.id: t for t in gens}
    recovered_at = max(by_id[i].finished_at for i in in_flight)
    recovery_s = (recovered_at - killed_at).total_seconds()
    print(f"\nkilled worker held {len(in_flight)} takes; recovered {recovery_s:.1f} s after SIGKILL; "
          f"{len(twice)} synthesized twice")
    assert 0 < recovery_s <= RECOVERY_LIMIT_S

    # credits settled exactly once: settle entries total run.credits = floor(sum of take costs)
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.run_id == run["id"])).all()
    cost_milli = sum(t.credits_milli for t in gens)
    assert all(t.settled for t in gens)
    assert row.credits == max(pricing.run_minimum(), cost_milli // 1000) == settled_credits(row.id)
    assert sum(e.amount for e in entries) == -row.credits
    dedup = [e.dedup_key for e in entries if e.dedup_key]
    assert len(dedup) == len(set(dedup))
    assert credits.held(db.session.get(LedgerEntry, row.reservation_id)) == 0
    assert credits.balance(owner.id) == balance_before - row.credits
    assert db.session.get(Run, run["id"]).token_cost == sum(t.units for t in gens)
