"""Over a real run (espeak-ng + the real Naturalness validator, burst RQ workers): "retry failed
lines" on the pinned version versus "run again with the latest version", and the run history pages
with their summary. (The live page over a real run is tests/e2e/test_run_page.py.)"""
from __future__ import annotations

import re

from app.extensions import db
from app.models import Run, Workflow, WorkflowVersion
from app.services import credits
from tests.conftest import assert_envelope
from tests.engine.conftest import run_burst
from tests.web.run_page_data import LINES, naturalness_definition


def _finished_run(owner_api, owner) -> tuple[dict, Run]:
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={"name": "Real page",
                                                                   "definition": naturalness_definition()}), 201)["data"]
    credits.ensure_period_grant(owner)
    db.session.commit()
    run = assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"), 202)["data"]
    done = run_burst(ONEPIN_ENGINE_PLUGINS="")
    assert done.returncode == 0, done.stderr[-3000:]
    db.session.expire_all()
    return wf, db.session.get(Run, run["id"])


def test_retry_failed_lines_pins_the_version_and_run_again_takes_the_latest(owner_api, owner, admin_web):
    wf, run = _finished_run(owner_api, owner)
    pinned = run.version_id
    # the workflow changes after the run: a new version
    changed = naturalness_definition(text="\n".join(LINES + ["A fifth line, added later."]))
    assert_envelope(owner_api.put(f"/api/v1/workflows/{wf['id']}", json={"name": "Real page", "definition": changed}))
    db.session.expire_all()
    latest = db.session.get(Workflow, wf["id"]).current_version_id
    assert latest != pinned

    resp = admin_web.post(f"/runs/{run.id}/retry-failed", htmx=True)
    assert resp.status_code == 204, resp.get_data(as_text=True)[:500]
    retry_id = resp.headers["HX-Redirect"].rsplit("/", 1)[-1]
    db.session.expire_all()
    retry = db.session.get(Run, retry_id)
    assert retry.version_id == pinned and retry.run_number == 2
    src = next(n for n in retry.definition_snapshot["graph"]["nodes"] if n["id"] == "src")
    assert src["config"]["text"] == "Okay."                      # only the line that was dropped
    assert retry.definition_snapshot["retry_of"] == {"run_id": run.id, "run_number": 1, "line_indexes": [3]}
    assert [n["config"] for n in retry.definition_snapshot["graph"]["nodes"] if n["id"] == "nat"] == \
        [{"threshold": 60, "max_retries": 0}]
    # one active run per workflow: "run again" waits for the retry to end
    resp = admin_web.post(f"/runs/{run.id}/run-again", htmx=True)
    assert resp.status_code == 409 and "still active" in resp.get_data(as_text=True)
    assert run_burst(ONEPIN_ENGINE_PLUGINS="").returncode == 0
    db.session.expire_all()
    retry = db.session.get(Run, retry_id)
    assert retry.status == "failed" and [ln["text"] for ln in retry.lines] == ["Okay."]   # dropped again: same audio, same verdict
    page = admin_web.text(f"/runs/{retry_id}")
    assert "Retry of run 1 (1 line)" in page and f"Version {_number(pinned)} (latest is {_number(latest)})" in page

    resp = admin_web.post(f"/runs/{run.id}/run-again", htmx=True)
    assert resp.status_code == 204
    again = db.session.get(Run, resp.headers["HX-Redirect"].rsplit("/", 1)[-1])
    assert again.version_id == latest and "retry_of" not in again.definition_snapshot
    assert next(n for n in again.definition_snapshot["graph"]["nodes"] if n["id"] == "src")["config"]["text"] == \
        "\n".join(LINES + ["A fifth line, added later."])

    # history: the workflow's runs, newest first, filtered by status, with the summary
    html = admin_web.text(f"/workflows/{wf['id']}/runs")
    assert re.findall(r'<tr data-run-id="[^"]+" data-status="(\w+)"', html) == ["pending", "failed", "completed"]
    assert 'id="sum-total">3<' in html and 'id="sum-pass-rate">50%<' in html
    assert re.search(r'id="sum-avg">\d+\.\d s<', html)
    body = admin_web.get(f"/workflows/{wf['id']}/runs?status=failed", headers={"HX-Request": "true",
                                                                              "HX-Target": "runs-panel"}).get_data(as_text=True)
    assert re.findall(r'data-status="(\w+)"', body) == ["failed"] and "<html" not in body
    assert "Real page" in admin_web.text("/runs")          # the workspace's history names the workflow


def _number(version_id: str) -> int:
    return db.session.get(WorkflowVersion, version_id).number
