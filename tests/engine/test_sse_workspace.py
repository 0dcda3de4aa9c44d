"""The workspace's runs stream (GET /api/v1/runs/events, what the runs list follows): a browser-less
client sees every status change of every run of ITS workspace, in order, across runs; a client that
drops and reconnects with Last-Event-ID gets exactly what it missed; keys without workflows:read, or
bound to another workspace, are refused with the contract's error envelope."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable

import httpx
import pytest

from app.extensions import db
from app.services import credits
from tests.conftest import assert_envelope, assert_error
from tests.engine.conftest import espeak_definition, run_burst
from tests.sse_client import live, sse_events  # noqa: F401 - live is a fixture
from tests.factories import make_key, make_user, make_workspace

TERMINAL = ("completed", "failed", "cancelled")


def read_until(url: str, headers: dict, done: Callable[[list[dict]], bool], timeout: float = 180) -> list[dict]:
    """Events (data parsed) of a stream that never ends on its own, until done(events)."""
    out = []
    for event in sse_events(url, headers, timeout):
        out.append({**event, "data": json.loads(event["data"])})
        if done(out):
            return out
    raise AssertionError(f"the stream ended before it was done: {out}")


def ended(run_id: str) -> Callable[[list[dict]], bool]:
    return lambda evs: any(e["event"] == "run.status" and e["data"]["run_id"] == run_id
                           and e["data"]["status"] in TERMINAL for e in evs)


def key_of(event_id: str) -> tuple[int, int]:
    ms, seq = event_id.split("-")
    return int(ms), int(seq)


def status_changes(events: list[dict], run_id: str) -> list[str]:
    out = []
    for e in events:
        if e["event"] == "run.status" and e["data"]["run_id"] == run_id and (not out or out[-1] != e["data"]["status"]):
            out.append(e["data"]["status"])
    return out


def launch(api, user, name: str, text: str) -> tuple[str, str]:
    wf = assert_envelope(api.post("/api/v1/workflows", json={"name": name, "definition": espeak_definition(text)}), 201)["data"]
    credits.ensure_period_grant(user)
    db.session.commit()
    run = assert_envelope(api.post(f"/api/v1/workflows/{wf['id']}/runs"), 202)["data"]
    return wf["id"], run["id"]


@pytest.fixture
def other(api):
    """A second workspace with its own owner and key."""
    user = make_user(email="other@example.com")
    ws = make_workspace(user, name="Other Studio", slug="other-studio")
    return {"user": user, "ws": ws, "api": api.as_(make_key(ws, user, "all"))}


def test_workspace_stream_follows_every_run_in_order_and_resumes_by_last_event_id(live, owner_api, owner_key, owner, other):  # noqa: F811
    url = f"{live}/api/v1/runs/events"
    auth = {"Authorization": f"Bearer {owner_key}"}
    wf1, run1 = launch(owner_api, owner, "Stream one", "First run, line one.\nFirst run, line two.")
    _wfb, run_b = launch(other["api"], other["user"], "Elsewhere", "Another workspace's line.")

    # a first client follows run 1 live until it ends, then drops
    first: list[dict] = []
    reader = threading.Thread(target=lambda: first.extend(read_until(url, auth, ended(run1))))
    reader.start()
    assert run_burst().returncode == 0          # run 1 and the other workspace's run both complete
    reader.join(180)
    assert first and ended(run1)(first)

    # while nobody listens, a second run of another workflow is launched; the client comes back with
    # Last-Event-ID and follows it live to its end
    wf2, run2 = launch(owner_api, owner, "Stream two", "Second run, one line.")
    rest: list[dict] = []
    back = {**auth, "Last-Event-ID": first[-1]["id"]}
    reader = threading.Thread(target=lambda: rest.extend(read_until(url, back, ended(run2))))
    reader.start()
    assert run_burst().returncode == 0
    reader.join(180)

    # the whole stream, replayed from the start by a new client
    full = read_until(url, auth, ended(run2))
    ids = [e["id"] for e in full]
    assert [e["id"] for e in first + rest] == ids               # nothing missed, nothing twice
    assert ids == sorted(ids, key=key_of) and len(set(ids)) == len(ids)
    assert {e["event"] for e in full} <= {"run.status", "run.progress"}
    assert status_changes(full, run1) == ["pending", "running", "completed"]
    assert status_changes(full, run2) == ["pending", "running", "completed"]
    assert status_changes(rest, run2) == ["pending", "running", "completed"]     # the missed launch included
    assert {e["data"]["run_id"]: e["data"]["workflow_id"] for e in full} == {run1: wf1, run2: wf2}
    # the other workspace's run is on its own stream only
    theirs = read_until(url, {"Authorization": f"Bearer {other['api'].token}"}, ended(run_b))
    assert {e["data"]["run_id"] for e in theirs} == {run_b}
    assert status_changes(theirs, run_b) == ["pending", "running", "completed"]


def test_the_stream_holds_no_database_connection_while_it_waits(live, owner_key):  # noqa: F811
    """A runs list left open must not pin a pooled connection for hours."""
    db.session.close()
    before = db.engine.pool.checkedout()
    with httpx.stream("GET", f"{live}/api/v1/runs/events", headers={"Authorization": f"Bearer {owner_key}"},
                      timeout=30) as resp:
        assert resp.status_code == 200
        assert next(resp.iter_lines()).startswith("retry:")    # the relay is running and now waits
        assert db.engine.pool.checkedout() == before


def test_keys_without_read_scope_or_of_another_workspace_are_refused(api, workspace, owner, other):
    run_only = api.as_(make_key(workspace, owner, "workflows:run", name="runner"))
    assert_error(run_only.get("/api/v1/runs/events"), 403, "FORBIDDEN")
    # another workspace's key, pointed at this workspace
    foreign = other["api"].as_(other["api"].token, workspace.id)
    assert_error(foreign.get("/api/v1/runs/events"), 403, "FORBIDDEN")
    assert_error(api.get("/api/v1/runs/events"), 401)
    assert_error(api.as_("op_not_a_real_key").get("/api/v1/runs/events"), 401)
    # a read-only key is enough
    reader = api.as_(make_key(workspace, owner, "workflows:read", name="reader"))
    resp = reader.get("/api/v1/runs/events", buffered=False)
    assert resp.status_code == 200 and resp.mimetype == "text/event-stream"
    resp.close()
