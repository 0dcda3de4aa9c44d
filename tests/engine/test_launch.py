"""workflows.runs.start: checks before writes (403/422/409/402 leave nothing behind), the pinned version and
snapshot, the credit hold in the same transaction, and Idempotency-Key. No worker runs here: runs stay
pending, which is exactly what the 409 checks need."""
import threading
import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import IdempotencyKey, LedgerEntry, Run, Step, Take, Workflow
from app.services import credits
from app.services.queue import queue
from tests.conftest import assert_envelope, assert_error
from tests.engine.conftest import espeak_definition, make_workflow, start
from tests.factories import add_member, make_key, make_workspace, membership

TEXT = "One small line.\nAnother small line."


def _counts() -> dict:
    db.session.rollback()
    n = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {"runs": n(Run), "ledger": n(LedgerEntry), "takes": n(Take), "steps": n(Step),
            "idempotency": n(IdempotencyKey), "engine_jobs": queue("engine").count}


def _two_source_definition() -> dict:
    defn = espeak_definition("From the first source.")
    g = defn["graph"]
    g["nodes"].append({"id": "src2", "type": "source_script", "position": {"x": 0, "y": 200},
                       "config": {"text": "From the second source."}})
    g["edges"].append({"id": "e9", "source": "src2", "sourcePort": "lines", "target": "gen", "targetPort": "lines"})
    return defn


def test_start_answers_202_with_a_pending_run_pinned_to_the_version_and_holding_credits(owner_api, owner):
    wf = make_workflow(owner_api, espeak_definition(TEXT))
    before = _counts()
    run = start(owner_api, wf["id"])
    assert run["status"] == "pending" and run["run_number"] == 1 and run["workflow_id"] == wf["id"]
    assert run["credits"] == 0 and run["token_cost"] == 0 and run["started_at"] is None
    assert run["pause_requested_at"] is None and run["held_nodes"] is None and run["error"] is None
    assert run["triggered_by"]["user_id"] == owner.id
    assert run["estimate"]["min_credits"] >= 1 and run["estimate"]["can_run"] is True
    wf_row = db.session.get(Workflow, wf["id"])
    assert run["version_id"] and run["version_id"] == wf_row.current_version_id
    row = db.session.get(Run, run["id"])
    hold = db.session.get(LedgerEntry, row.reservation_id)
    assert hold.kind == "reserve" and hold.run_id == row.id and hold.user_id == owner.id
    assert -hold.amount == min(run["estimate"]["max_credits"], run["estimate"]["current_balance"])
    after = _counts()
    assert after["runs"] == before["runs"] + 1 and after["engine_jobs"] == before["engine_jobs"] + 1
    assert after["takes"] == before["takes"] and after["idempotency"] == before["idempotency"]
    # the run keeps its snapshot and version when the workflow changes afterwards
    changed = espeak_definition("A completely different script.")
    assert_envelope(owner_api.patch(f"/api/v1/workflows/{wf['id']}", json={"definition": changed}))
    detail = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}"))["data"]
    assert detail["version_id"] == run["version_id"]
    src = next(n for n in detail["definition_snapshot"]["graph"]["nodes"] if n["id"] == "src")
    assert src["config"]["text"] == TEXT
    db.session.rollback()
    assert db.session.get(Workflow, wf["id"]).current_version_id != run["version_id"]


def test_a_run_scoped_script_text_lands_in_the_snapshot(owner_api):
    wf = make_workflow(owner_api, espeak_definition(TEXT))
    run = start(owner_api, wf["id"], json={"script_text": "Just this one line."})
    detail = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}"))["data"]
    src = next(n for n in detail["definition_snapshot"]["graph"]["nodes"] if n["type"] == "source_script")
    assert "Just this one line." in str(src["config"])
    assert db.session.get(Run, run["id"]).script_text == "Just this one line."


def test_a_viewer_cannot_start_a_run(owner_api, workspace):
    wf = make_workflow(owner_api, espeak_definition(TEXT))
    member = add_member(workspace, role="editor")
    key = make_key(workspace, member, "all")          # made while an editor...
    read_only = make_key(workspace, member, "workflows:read")
    membership(workspace, member).role = "viewer"      # ...then demoted: the role check applies
    db.session.commit()
    before = _counts()
    for k in (key, read_only):
        resp = owner_api.as_(k).post(f"/api/v1/workflows/{wf['id']}/runs")
        assert resp.status_code == 403, resp.get_data(as_text=True)
    assert _counts() == before


def test_a_workflow_without_text_cannot_run(owner_api):
    wf = make_workflow(owner_api, espeak_definition(""))
    before = _counts()
    body = assert_error(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"), 422)
    assert body["error"]["details"], body
    assert _counts() == before


def test_script_text_with_two_sources_is_refused(owner_api):
    wf = make_workflow(owner_api, _two_source_definition())
    before = _counts()
    assert_error(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs", json={"script_text": "Override."}), 422)
    assert_error(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs",
                                json={"script_text": "Override.", "source_language": "en-us"}), 422)
    assert _counts() == before
    start(owner_api, wf["id"])          # without the override the two-source workflow is fine


def test_a_second_run_of_an_active_workflow_is_409_with_no_side_effect(owner_api):
    wf = make_workflow(owner_api, espeak_definition(TEXT))
    first = start(owner_api, wf["id"])
    before = _counts()
    for _ in range(2):                  # the SDK retries 409s: each retry is just as harmless
        body = assert_error(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"), 409, "RUN_ALREADY_ACTIVE")
        assert first["id"] in str(body["error"])
    assert _counts() == before
    # a paused run is still active
    assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs/{first['id']}/pause"))
    assert_error(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"), 409, "RUN_ALREADY_ACTIVE")
    assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs/{first['id']}/cancel"))
    assert start(owner_api, wf["id"])["run_number"] == 2


def test_the_plans_concurrent_run_limit_is_409_with_no_side_effect(owner_api, owner):
    limit = 2                            # the free plan
    assert owner.plan == "free"
    wfs = [make_workflow(owner_api, espeak_definition(TEXT), name=f"W{i}") for i in range(limit + 1)]
    for wf in wfs[:limit]:
        start(owner_api, wf["id"])
    before = _counts()
    assert_error(owner_api.post(f"/api/v1/workflows/{wfs[-1]['id']}/runs"), 409, "CONCURRENT_RUN_LIMIT")
    assert_error(owner_api.post(f"/api/v1/workflows/{wfs[-1]['id']}/runs"), 409, "CONCURRENT_RUN_LIMIT")
    assert _counts() == before
    # the limit is per user, across workspaces
    other_ws = make_workspace(owner, name="Second")
    other_api = owner_api.as_(make_key(other_ws, owner, "all"))
    other_wf = make_workflow(other_api, espeak_definition(TEXT), name="Elsewhere")
    assert_error(other_api.post(f"/api/v1/workflows/{other_wf['id']}/runs"), 409, "CONCURRENT_RUN_LIMIT")
    assert _counts() == before


def test_a_balance_under_the_minimum_estimate_is_402_with_no_side_effect(owner_api, owner):
    wf = make_workflow(owner_api, espeak_definition(TEXT))
    credits.ensure_period_grant(owner)
    credits.correction(owner.id, -credits.balance(owner.id), "drain for the test")
    db.session.commit()
    assert credits.balance(owner.id) == 0
    before = _counts()
    body = assert_error(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"), 402, "INSUFFICIENT_CREDITS")
    assert "credits" in body["error"]["message"]
    assert _counts() == before and credits.balance(owner.id) == 0
    credits.correction(owner.id, 1, "one credit back")       # exactly the minimum is enough
    db.session.commit()
    run = start(owner_api, wf["id"])
    hold = db.session.get(LedgerEntry, db.session.get(Run, run["id"]).reservation_id)
    assert hold.amount == -1 and credits.balance(owner.id) == 0


def test_idempotency_key_same_body_same_run_other_body_422(owner_api):
    wf = make_workflow(owner_api, espeak_definition(TEXT))
    url = f"/api/v1/workflows/{wf['id']}/runs"
    key = {"Idempotency-Key": "launch-1"}
    first = start(owner_api, wf["id"], json={"script_text": "Keyed line."}, headers=key)
    before = _counts()
    again = start(owner_api, wf["id"], json={"script_text": "Keyed line."}, headers=key)
    assert again["id"] == first["id"] and again["run_number"] == 1
    assert _counts() == before and before["runs"] == 1 and before["idempotency"] == 1
    body = assert_error(owner_api.post(url, json={"script_text": "Another line."}, headers=key), 422)
    assert body["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert_error(owner_api.post(url, headers=key), 422)          # no body is a different body too
    assert _counts() == before
    # the key still answers after the run ended; another key is another launch (here: 409, still active)
    assert_error(owner_api.post(url, json={"script_text": "Keyed line."}, headers={"Idempotency-Key": "launch-2"}),
                 409, "RUN_ALREADY_ACTIVE")
    assert_envelope(owner_api.post(f"{url}/{first['id']}/cancel"))
    assert start(owner_api, wf["id"], json={"script_text": "Keyed line."}, headers=key)["id"] == first["id"]
    assert start(owner_api, wf["id"], json={"script_text": "Keyed line."},
                 headers={"Idempotency-Key": "launch-2"})["id"] != first["id"]


def test_concurrent_launches_with_one_idempotency_key_make_one_run(owner_api, owner, workspace, app, monkeypatch):
    """An SDK retry racing its own first attempt: every request gets the one run, never a 409.
    (Straight service calls, one app context and DB session per thread, like concurrent requests.)"""
    from app.engine import launcher
    from app.errors import DomainError
    from app.models import User, Workspace
    wf_id = make_workflow(owner_api, espeak_definition(TEXT))["id"]
    ws_id, user_id = workspace.id, owner.id
    parse = launcher._overrides

    def slow_parse(data):           # widen the window between reading the body and looking up the key
        time.sleep(0.3)
        return parse(data)

    monkeypatch.setattr(launcher, "_overrides", slow_parse)
    results = []

    def launch():
        with app.app_context():
            try:
                ws, user, wf = db.session.get(Workspace, ws_id), db.session.get(User, user_id), db.session.get(Workflow, wf_id)
                run, _created = launcher.start_run(ws, membership(ws, user), user, wf, {"script_text": "Same."},
                                                   idempotency_key="racy")
                db.session.commit()
                results.append(run.id)
            except DomainError as exc:
                db.session.rollback()
                results.append(getattr(exc, "code", repr(exc)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=launch) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 4 and len(set(results)) == 1, results
    assert _counts()["runs"] == 1 and results[0] in {r.id for r in db.session.scalars(select(Run))}


@pytest.mark.parametrize("bad", ["", "x" * 256])
def test_an_invalid_idempotency_key_is_422(owner_api, bad):
    wf = make_workflow(owner_api, espeak_definition(TEXT))
    assert_error(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs", headers={"Idempotency-Key": bad}), 422)
    assert _counts()["runs"] == 0
