"""The live runs list without a browser: the page names its stream and where it starts, the row and
summary partials it re-renders are the page's own markup, and the session-auth stream
(/runs/events) follows the workspace's runs, refuses strangers and holds no database connection.
The browser side is tests/e2e/test_runs_list_live.py."""
from __future__ import annotations

import json
import re

import httpx
import pytest

from app.engine import events
from app.extensions import db
from app.models import Workflow
from app.realtime.sse import latest_id
from tests.conftest import assert_envelope
from tests.sse_client import live  # noqa: F401 - the live-server fixture
from tests.factories import make_user, make_workspace
from tests.web.run_page_data import built_run, naturalness_definition


@pytest.fixture
def wf(owner_api):
    data = assert_envelope(owner_api.post("/api/v1/workflows", json={"name": "Live list",
                                                                     "definition": naturalness_definition()}), 201)["data"]
    return db.session.get(Workflow, data["id"])


def _rows(html: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in re.finditer(r'<tr data-run-id="([^"]+)".*?</tr>', html, re.S)}


def test_the_page_names_its_stream_after_the_newest_event(admin_web, wf, workspace):
    assert 'data-events-url="/runs/events?workspace=' + workspace.id + '"' in admin_web.text("/runs")   # no event yet
    events.publish_now("r-1", workspace.id, "run.status", {"run_id": "r-1", "status": "pending"})
    events.publish_now("r-1", workspace.id, "run.status", {"run_id": "r-1", "status": "running"})
    newest = latest_id(events.workspace_stream(workspace.id))
    assert newest
    html = admin_web.text(f"/workflows/{wf.id}/runs")
    assert f'after={newest}' in html and f'data-workflow-id="{wf.id}"' in html
    assert 'id="runs-announce" class="visually-hidden" role="status" aria-live="polite"' in html
    assert html.count("runs_live.js") == 1


def test_row_and_summary_partials_are_the_pages_own_markup(admin_web, wf, owner):
    done = built_run(wf, owner, lines=["One."], run_number=1)
    going = built_run(wf, owner, lines=["Two."], run_number=2, status="running", outcomes={(0, "en-us"): "pending"})
    for page, query in (("/runs", ""), (f"/workflows/{wf.id}/runs", f"?workflow={wf.id}")):
        shown = _rows(admin_web.text(page))
        for run in (done, going):
            alone = admin_web.text(f"/runs/{run.id}/row{query}")
            assert "<html" not in alone and alone.strip() == shown[run.id].strip()
    summary = admin_web.get("/runs?status=completed", headers={"HX-Request": "true", "HX-Target": "runs-summary"})
    body = summary.get_data(as_text=True)
    assert 'id="sum-total">2<' in body and "<html" not in body
    assert '<span class="muted small" id="runs-count" hx-swap-oob="true">1 run</span>' in body   # the filtered count


def test_rows_of_other_workspaces_or_workflows_are_404(admin_web, login_as, owner_api, wf, owner):
    run = built_run(wf, owner, lines=["One."])
    other_wf = assert_envelope(owner_api.post("/api/v1/workflows", json={"name": "Other",
                                                                          "definition": naturalness_definition()}), 201)["data"]
    assert admin_web.get(f"/runs/{run.id}/row?workflow={wf.id}").status_code == 200
    assert admin_web.get(f"/runs/{run.id}/row?workflow={other_wf['id']}").status_code == 404
    stranger = make_user(email="stranger@example.com")
    make_workspace(stranger, name="Stranger", slug="stranger")
    assert login_as(stranger).get(f"/runs/{run.id}/row").status_code == 404
    assert admin_web.get(f"/runs/{run.id}/row?workflow=not-a-workflow").status_code == 404
    assert admin_web.get("/runs/not-a-run/row").status_code == 404


def _stream_frames(base: str, web, n: int, path: str = "/runs/events", headers: dict | None = None) -> list[str]:
    """The first n frames of the stream as the signed-in browser `web` gets them."""
    cookie = web.client.get_cookie("session")
    frames = []
    with httpx.stream("GET", base + path, cookies={"session": cookie.value}, headers=headers, timeout=30) as resp:
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
        buf = ""
        for text in resp.iter_text():
            buf += text
            while "\n\n" in buf:
                frame, buf = buf.split("\n\n", 1)
                frames.append(frame)
                if len(frames) == n:
                    assert db.engine.pool.checkedout() == 0   # the open stream gave its connection back
                    return frames
    raise AssertionError(frames)


def test_the_stream_needs_a_session_and_follows_the_workspace(app, live, admin_web, login_as, wf, workspace):  # noqa: F811
    assert app.test_client().get("/runs/events").status_code == 302                        # to the login page
    assert admin_web.get("/runs/events?workspace=another-workspace").status_code == 204      # stops the EventSource
    events.publish_now("r-1", workspace.id, "run.status", {"run_id": "r-1", "workflow_id": wf.id, "status": "pending"})
    stranger = make_user(email="stranger@example.com")
    theirs = make_workspace(stranger, name="Stranger", slug="stranger")
    events.publish_now("r-2", theirs.id, "run.status", {"run_id": "r-2", "status": "pending"})
    stranger_web = login_as(stranger)
    ws_id, wf_id = workspace.id, wf.id
    db.session.close()
    retry, frame = _stream_frames(live, admin_web, 2)
    assert retry.startswith("retry:") and "event: run.status" in frame
    assert json.loads(frame.split("data: ", 1)[1])["run_id"] == "r-1"
    # a reconnect: the browser's Last-Event-ID wins over the page's ?after=
    first_id = frame.split("\n", 1)[0].removeprefix("id: ")
    events.publish_now("r-3", ws_id, "run.status", {"run_id": "r-3", "workflow_id": wf_id, "status": "pending"})
    _retry, frame = _stream_frames(live, admin_web, 2, "/runs/events?after=0-0", {"Last-Event-ID": first_id})
    assert json.loads(frame.split("data: ", 1)[1])["run_id"] == "r-3"
    _retry, frame = _stream_frames(live, stranger_web, 2)
    assert json.loads(frame.split("data: ", 1)[1])["run_id"] == "r-2"
