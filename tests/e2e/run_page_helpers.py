"""Shared pieces of the run-page browser tests: a run launched through the API, signed URLs that
point at the live server, and in-page recorders (EventSource constructions, displayed states)."""
from __future__ import annotations

from contextlib import contextmanager

import pytest

from app.extensions import db
from app.services import credits
from tests.conftest import assert_envelope

# Counts every EventSource the page creates (installed before any page script runs).
COUNT_EVENT_SOURCES = """
window.__eventSources = [];
const NativeEventSource = window.EventSource;
window.EventSource = class extends NativeEventSource {
  constructor(url, options) { super(url, options); window.__eventSources.push(String(url)); }
};
"""

# Records each state #run-status shows (data-phase), in order, however the header gets replaced.
RECORD_PHASES = """
() => {
  window.__phases = [];
  window.__noReload = true;
  const rec = () => {
    const s = document.getElementById('run-status');
    const p = s && s.dataset.phase;
    if (p && window.__phases[window.__phases.length - 1] !== p) window.__phases.push(p);
  };
  rec();
  new MutationObserver(rec).observe(document.getElementById('run-page'), {subtree: true, childList: true, attributes: true});
}
"""


@pytest.fixture
def public_url(app, live_server):
    """Signed URLs (audio, ZIPs) name the live server, as ONEPIN_PUBLIC_URL would in production."""
    before = app.config.get("PUBLIC_URL")
    app.config["PUBLIC_URL"] = live_server
    yield live_server
    app.config["PUBLIC_URL"] = before


def launch(api, owner, definition: dict, name: str) -> tuple[str, str]:
    """(workflow id, run id) of a run started through the API; no worker has touched it yet."""
    wf = assert_envelope(api.post("/api/v1/workflows", json={"name": name, "definition": definition}), 201)["data"]
    credits.ensure_period_grant(owner)
    db.session.commit()
    run = assert_envelope(api.post(f"/api/v1/workflows/{wf['id']}/runs"), 202)["data"]
    return wf["id"], run["id"]


@contextmanager
def explained(run_id: str, workers):
    """A page that never shows the run's end fails with what the run itself did: its status in the database
    and the end of its workers' logs (whether the run stalled or only the page missed its end)."""
    try:
        yield
    except AssertionError as exc:
        from app.models import Run
        db.session.rollback()
        run = db.session.get(Run, run_id)
        logs = workers.text()[-4000:]
        raise AssertionError(f"{exc}\n--- run {run_id} in the database: {run.status if run else None}, wave "
                             f"{run.current_wave if run else None}\n--- its workers' logs (end):\n{logs}") from None
