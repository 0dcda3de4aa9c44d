"""Real runs for the run-read endpoints: a workflow through the API, a burst RQ worker, then reads."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.extensions import db
from app.services import credits
from tests.conftest import assert_envelope
from tests.engine.conftest import espeak_definition, run_burst

ROOT = str(Path(__file__).resolve().parents[2])
FAKE_PLUGIN = "tests.run_reads.fake_validator"
TEXT3 = "Hello from OnePin.\nThe second line is a little longer than the first.\nGoodbye."


def start_and_finish(api, owner, definition: dict, name: str = "Reads", plugins: bool = False) -> tuple[dict, dict]:
    """Creates the workflow, starts a run, drains it with one burst worker; returns (workflow, run)."""
    wf = assert_envelope(api.post("/api/v1/workflows", json={"name": name, "definition": definition}), 201)["data"]
    credits.ensure_period_grant(owner)
    db.session.commit()
    run = assert_envelope(api.post(f"/api/v1/workflows/{wf['id']}/runs"), 202)["data"]
    extra = {"ONEPIN_ENGINE_PLUGINS": FAKE_PLUGIN, "PYTHONPATH": ROOT} if plugins else {}
    done = run_burst(**extra)
    assert done.returncode == 0, done.stderr[-3000:]
    run = assert_envelope(api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}"))["data"]
    return wf, run


@pytest.fixture
def fake_validator():
    """Registers the fake validator in this process for one test, then puts back what was there."""
    from app.engine import plugins
    from tests.run_reads.fake_validator import FakeNaturalness
    plugins.get("operator_generator")            # load the built-ins first
    before = plugins._REGISTRY.get(FakeNaturalness.node_type)
    plugins.register(FakeNaturalness())
    yield FAKE_PLUGIN
    if before is None:
        plugins._REGISTRY.pop(FakeNaturalness.node_type, None)
    else:
        plugins._REGISTRY[FakeNaturalness.node_type] = before


@pytest.fixture
def three_line_run(owner_api, owner):
    wf, run = start_and_finish(owner_api, owner, espeak_definition(TEXT3))
    assert run["status"] == "completed", run
    return wf, run


@pytest.fixture
def other_api(api):
    """A member of another workspace, with an all-scopes key."""
    from tests.factories import make_key, make_user, make_workspace
    user = make_user(email="stranger@example.com")
    ws = make_workspace(user, name="Elsewhere", slug="elsewhere")
    return api.as_(make_key(ws, user, "all"))


def fetch_signed(client, url: str):
    """GETs a signed URL without any Authorization header (as the CLI does)."""
    assert url.startswith("http://testserver/"), url
    return client.get(url.removeprefix("http://testserver"))
