"""workflows.list: status buckets from the latest run, search, multi-sort with per-field defaults and
an id tiebreaker, last-run range, has_failed_run, include_definition, counted paging."""
from datetime import datetime, timedelta, timezone

import pytest

from app.extensions import db
from app.models import Run, Workflow
from tests.conftest import assert_envelope, assert_error

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)


def make_wf(ws, user, name, description=None, updated=None):
    wf = Workflow(workspace_id=ws.id, user_id=user.id, name=name, description=description,
                  definition={"graph": {"nodes": [], "edges": []}})
    if updated:
        wf.updated_at = updated
    db.session.add(wf)
    db.session.commit()
    return wf


def add_runs(wf, *statuses, start=T0):
    for i, status in enumerate(statuses, 1):
        db.session.add(Run(workspace_id=wf.workspace_id, workflow_id=wf.id, run_number=i, status=status,
                           definition_snapshot={}, created_at=start + timedelta(hours=i)))
    db.session.commit()


@pytest.fixture
def corpus(workspace, owner):
    wfs = {
        "draft": make_wf(workspace, owner, "Alpha draft", "nothing ran", T0 + timedelta(days=1)),
        "done": make_wf(workspace, owner, "Bravo done", "Ship the promo", T0 + timedelta(days=2)),
        "broke": make_wf(workspace, owner, "charlie broke", None, T0 + timedelta(days=3)),
        "fixed": make_wf(workspace, owner, "Delta fixed", None, T0 + timedelta(days=4)),
        "busy": make_wf(workspace, owner, "Echo busy", None, T0 + timedelta(days=5)),
        "parked": make_wf(workspace, owner, "Foxtrot parked", None, T0 + timedelta(days=6)),
        "stopped": make_wf(workspace, owner, "Golf stopped", None, T0 + timedelta(days=7)),
    }
    add_runs(wfs["done"], "completed")
    add_runs(wfs["broke"], "completed", "failed")
    add_runs(wfs["fixed"], "failed", "completed", start=T0 + timedelta(days=10))
    add_runs(wfs["busy"], "completed", "running")
    add_runs(wfs["parked"], "paused")
    add_runs(wfs["stopped"], "failed", "cancelled")
    return wfs


def names(resp):
    return [w["name"] for w in assert_envelope(resp)["data"]]


def test_status_buckets_come_from_the_latest_run(owner_api, corpus):
    assert names(owner_api.get("/api/v1/workflows?status=draft")) == ["Alpha draft"]
    assert sorted(names(owner_api.get("/api/v1/workflows?status=completed"))) == ["Bravo done", "Delta fixed"]
    assert names(owner_api.get("/api/v1/workflows?status=failed")) == ["charlie broke"]
    assert sorted(names(owner_api.get("/api/v1/workflows?status=running"))) == ["Echo busy", "Foxtrot parked"]
    assert names(owner_api.get("/api/v1/workflows?status=paused")) == []
    assert_error(owner_api.get("/api/v1/workflows?status=cancelled"), 422, "VALIDATION_ERROR")


def test_has_failed_run_is_history_based_and_cancel_is_not_failure(owner_api, corpus):
    assert sorted(names(owner_api.get("/api/v1/workflows?has_failed_run=true"))) == ["Delta fixed", "Golf stopped", "charlie broke"]
    assert "Bravo done" in names(owner_api.get("/api/v1/workflows?has_failed_run=false"))
    assert names(owner_api.get("/api/v1/workflows?has_failed_run=true&status=completed")) == ["Delta fixed"]
    assert_error(owner_api.get("/api/v1/workflows?has_failed_run=maybe"), 422)


def test_stats_and_definition_inclusion(owner_api, corpus):
    rows = assert_envelope(owner_api.get("/api/v1/workflows?search=charlie"))["data"]
    assert rows[0]["runs_count"] == 2 and rows[0]["last_run_status"] == "failed"
    assert rows[0]["run_status_counts"] == {"pending": 0, "running": 0, "completed": 1, "failed": 1, "cancelled": 0, "paused": 0}
    assert "definition" not in rows[0]
    rows = assert_envelope(owner_api.get("/api/v1/workflows?search=charlie&include_definition=true"))["data"]
    assert rows[0]["definition"]["graph"] == {"nodes": [], "edges": []}


def test_search_matches_name_and_description_case_insensitively(owner_api, corpus):
    assert names(owner_api.get("/api/v1/workflows?search=PROMO")) == ["Bravo done"]
    assert names(owner_api.get("/api/v1/workflows?search=CHARLIE")) == ["charlie broke"]
    assert names(owner_api.get("/api/v1/workflows?search=100%25")) == []        # % is literal, not a wildcard
    assert names(owner_api.get("/api/v1/workflows?search=_")) == []


def test_default_order_is_updated_desc(owner_api, corpus):
    assert names(owner_api.get("/api/v1/workflows"))[0] == "Golf stopped"


def test_sorts_with_per_field_default_orders(owner_api, corpus):
    assert names(owner_api.get("/api/v1/workflows?sort=name")) == [
        "Alpha draft", "Bravo done", "charlie broke", "Delta fixed", "Echo busy", "Foxtrot parked", "Golf stopped"]
    assert names(owner_api.get("/api/v1/workflows?sort=name&order=desc"))[0] == "Golf stopped"
    by_runs = names(owner_api.get("/api/v1/workflows?sort=runs_count&sort=name"))   # runs desc, then name asc
    assert by_runs[:5] == ["charlie broke", "Delta fixed", "Echo busy", "Golf stopped", "Bravo done"]
    assert by_runs[-1] == "Alpha draft"
    assert_error(owner_api.get("/api/v1/workflows?sort=colour"), 422)
    assert_error(owner_api.get("/api/v1/workflows?sort=name&order=sideways"), 422)


def test_ties_are_broken_by_id(owner_api, workspace, owner):
    same = T0 + timedelta(days=1)
    wfs = [make_wf(workspace, owner, "Same", updated=same) for _ in range(5)]
    ids = [w["id"] for w in assert_envelope(owner_api.get("/api/v1/workflows?sort=name"))["data"]]
    assert ids == sorted(w.id for w in wfs)


def test_last_run_range_needs_offsets_and_order(owner_api, corpus):
    after = (T0 + timedelta(days=9)).isoformat().replace("+00:00", "Z")
    assert names(owner_api.get(f"/api/v1/workflows?last_run_after={after}")) == ["Delta fixed"]
    before = (T0 + timedelta(hours=1, minutes=30)).isoformat()
    got = names(owner_api.get("/api/v1/workflows", query_string={"last_run_before": before}))
    assert sorted(got) == ["Bravo done", "Foxtrot parked"]
    assert_error(owner_api.get("/api/v1/workflows?last_run_after=2026-11-01T12:00:00"), 422)   # no offset
    assert_error(owner_api.get("/api/v1/workflows", query_string={
        "last_run_after": "2026-11-05T00:00:00+00:00", "last_run_before": "2026-11-01T00:00:00+00:00"}), 422)
    assert_error(owner_api.get("/api/v1/workflows?last_run_after=yesterday"), 422)


def test_paging_edges(owner_api, corpus):
    body = assert_envelope(owner_api.get("/api/v1/workflows?limit=3&offset=0&sort=name"))
    assert [w["name"] for w in body["data"]] == ["Alpha draft", "Bravo done", "charlie broke"]
    assert body["pagination"]["total"] == 7 and body["pagination"]["limit"] == 3 and body["pagination"]["next"]
    body = assert_envelope(owner_api.get("/api/v1/workflows?limit=3&offset=6&sort=name"))
    assert [w["name"] for w in body["data"]] == ["Golf stopped"] and body["pagination"]["next"] is None
    body = assert_envelope(owner_api.get("/api/v1/workflows?offset=50"))
    assert body["data"] == [] and body["pagination"]["total"] == 7
    assert_envelope(owner_api.get("/api/v1/workflows?limit=100"))
    assert_error(owner_api.get("/api/v1/workflows?limit=101"), 422, "VALIDATION_ERROR")
    assert_error(owner_api.get("/api/v1/workflows?limit=0"), 422)
    assert_error(owner_api.get("/api/v1/workflows?offset=-1"), 422)
    filtered = assert_envelope(owner_api.get("/api/v1/workflows?status=completed&limit=1"))
    assert filtered["pagination"]["total"] == 2 and len(filtered["data"]) == 1


def test_deleted_and_foreign_workflows_are_not_listed(api, owner_api, corpus):
    from tests.factories import make_key, make_user, make_workspace
    corpus["draft"].deleted_at = T0
    db.session.commit()
    assert "Alpha draft" not in names(owner_api.get("/api/v1/workflows"))
    other = make_user()
    ws2 = make_workspace(other)
    assert names(api.as_(make_key(ws2, other)).get("/api/v1/workflows")) == []
