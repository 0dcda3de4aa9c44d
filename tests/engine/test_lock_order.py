"""The lock order of settlement under the run lock, on real PostgreSQL: a worker finishing a run
(scheduler.advance → finish → billing) and its owner cancelling it (API or web) at the same instant.

An API request holds the owner's user row from its first statement (principal.last_active_at), and
both sides settle against that account. A hook on the connection makes each side, right after taking
its first lock, wait (a short while) until the other has taken its own: with the run locked before the
account on one side and the account before the run on the other, PostgreSQL aborts one of them. The
side that waited must then see the run as the other left it (a web request loaded it before waiting).
"""
import threading

import pytest
from sqlalchemy import event, func, insert, select, update

from app.engine import launcher, scheduler
from app.extensions import db
from app.models import ActivityEvent, LedgerEntry, Run, Take
from app.models.base import new_id, utcnow
from app.services import credits, pricing
from tests.conftest import assert_envelope
from tests.engine.conftest import espeak_definition, lines_text, make_workflow, start
from tests.web.conftest import WebClient, login

LINES = 3
COST_MILLI = 1500          # per generated line: 4.5 credits in all, 4 settled
PATIENCE = 1.5             # how long a side that holds its first lock waits for the other to take one


def _drained_run(owner_api) -> tuple[dict, dict]:
    """A running run whose every take is done and unsettled: the next advance finishes it."""
    wf = make_workflow(owner_api, espeak_definition(lines_text(LINES)))
    run = start(owner_api, wf["id"])
    assert launcher.begin(run["id"]) == "started"
    row = db.session.get(Run, run["id"])
    plan = scheduler.plan_for(row)
    now = utcnow()
    db.session.execute(update(Take).where(Take.run_id == row.id, Take.node_id == "gen").values(
        status="done", port="lines", routed=True, units=10, credits_milli=COST_MILLI, started_at=now, finished_at=now))
    db.session.execute(insert(Take.__table__), [scheduler.take_row(
        id=new_id(), run_id=row.id, workspace_id=row.workspace_id, node_id="out", node_type="sink_preview",
        line_index=i, locale="en-us", attempt=1, wave=plan.wave_of["out"], status="done", routed=True,
        started_at=now, finished_at=now) for i in range(LINES)])
    db.session.commit()
    return wf, run


class Interleave:
    """Each named thread, right after the statement that takes its first lock, says so and waits (at most
    PATIENCE seconds) until the other has said the same."""

    def __init__(self, firsts: dict):
        self.firsts = firsts
        self.holding = {name: threading.Event() for name in firsts}

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        me = threading.current_thread().name
        takes_first_lock = self.firsts.get(me)
        if takes_first_lock is None or self.holding[me].is_set() or not takes_first_lock(statement):
            return
        self.holding[me].set()
        other = next(name for name in self.holding if name != me)
        self.holding[other].wait(PATIENCE)


def _takes_lock(sql: str) -> bool:
    """The run row or the user row (the account), locked by SELECT ... FOR UPDATE or by an UPDATE."""
    return (sql.startswith("UPDATE users") or sql.startswith("UPDATE runs")
            or (("FROM runs" in sql or "FROM users" in sql) and sql.rstrip().endswith("FOR UPDATE")))


@pytest.mark.parametrize("channel", ["api", "web"])
@pytest.mark.parametrize("first, outcome", [("finisher", "completed"), ("canceller", "cancelled")])
def test_finish_and_cancel_at_the_same_instant_do_not_deadlock(app, owner_api, owner, channel, first, outcome):
    wf, run = _drained_run(owner_api)
    web = WebClient(login(app.test_client(), owner.email)) if channel == "web" else None
    hold = db.session.get(LedgerEntry, db.session.get(Run, run["id"]).reservation_id)
    before = credits.balance(owner.id) + credits.held(hold)          # the balance before the launch
    results, errors = {}, []

    def finisher():
        with app.app_context():
            try:
                results["advance"] = scheduler.advance(run["id"])
            except Exception as exc:  # noqa: BLE001 - a deadlock is what this test looks for
                errors.append(exc)
            finally:
                db.session.remove()

    def canceller():
        try:
            resp = (owner_api.post(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/cancel") if web is None
                    else web.post(f"/runs/{run['id']}/cancel"))
            results["cancel"] = (resp.status_code, resp.get_data(as_text=True)[:500])
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    hook = Interleave({"finisher": _takes_lock, "canceller": _takes_lock})
    threads = {"finisher": threading.Thread(target=finisher, name="finisher"),
               "canceller": threading.Thread(target=canceller, name="canceller")}
    second = "canceller" if first == "finisher" else "finisher"
    event.listen(db.engine, "after_cursor_execute", hook)
    try:
        threads[first].start()
        assert hook.holding[first].wait(10), f"the {first} never took its first lock"
        threads[second].start()
        for t in threads.values():
            t.join(30)
    finally:
        event.remove(db.engine, "after_cursor_execute", hook)
    assert not any(t.is_alive() for t in threads.values())
    assert not errors, errors
    assert results["cancel"][0] == (200 if web is None else 302), results["cancel"]

    # whoever locked first ended the run, once; the other saw a terminal run and left it alone
    db.session.rollback()
    row = db.session.get(Run, run["id"])
    assert row.status == outcome, (row.status, row.error, results)
    assert assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}"))["data"]["status"] == outcome
    assert results["advance"] == ("completed" if outcome == "completed" else "idle")
    ended = db.session.scalars(select(ActivityEvent.kind).where(ActivityEvent.resource_id == row.id,
                                                                ActivityEvent.kind != "run.started")).all()
    assert ended == [f"run.{outcome}"]
    # settled exactly once: every done take, the run's credits, nothing left held
    expected = max(LINES * COST_MILLI // 1000, pricing.run_minimum())
    assert row.credits == expected
    assert not db.session.scalar(select(func.count()).select_from(Take).where(
        Take.run_id == row.id, Take.status == "done", Take.node_id == "gen", Take.settled.is_(False)))
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.run_id == row.id)).all()
    assert -sum(e.amount for e in entries if e.kind == "settle") == expected
    assert sum(e.amount for e in entries) == -expected
    assert credits.held(db.session.get(LedgerEntry, row.reservation_id)) == 0
    assert credits.balance(owner.id) == before - expected


def test_a_launch_whose_script_cannot_be_read_fails_and_gives_the_hold_back(owner_api, owner, monkeypatch):
    """begin() holds the run lock; failing settles, so it lets the run go and locks the account first."""
    wf = make_workflow(owner_api, espeak_definition(lines_text(LINES)))
    run = start(owner_api, wf["id"])
    hold = db.session.get(LedgerEntry, db.session.get(Run, run["id"]).reservation_id)
    before = credits.balance(owner.id) + credits.held(hold)

    def unreadable(*_args, **_kw):
        raise FileNotFoundError("the upload is gone")
    monkeypatch.setattr(launcher.script_source, "resolve", unreadable)
    assert launcher.begin(run["id"]) == "failed"
    db.session.rollback()
    row = db.session.get(Run, run["id"])
    assert row.status == "failed" and row.error == "The script could not be read: the upload is gone"
    assert row.credits == 0 and credits.held(db.session.get(LedgerEntry, row.reservation_id)) == 0
    assert credits.balance(owner.id) == before
    assert launcher.begin(run["id"]) == "skipped"
