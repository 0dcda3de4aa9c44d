"""GET .../runs/summary: counts per status, pass rate (SDK formula), durations, from/to rules."""
from datetime import datetime, timedelta, timezone

from onepin.types import ApiResponseRunsSummaryOut

from app.extensions import db
from app.models import Run, Take
from tests.conftest import assert_envelope, assert_error
from tests.engine.conftest import espeak_definition

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def make_run(workflow_id: str, status: str, *, created: datetime | None = None, active_s: float | None = None,
             paused_ms: int = 0, delivered_ms: list[int] | None = None) -> Run:
    from app.models import Workflow
    wf = db.session.get(Workflow, workflow_id)
    n = (db.session.scalar(db.select(db.func.max(Run.run_number)).where(Run.workflow_id == wf.id)) or 0) + 1
    run = Run(workspace_id=wf.workspace_id, workflow_id=wf.id, run_number=n, status=status,
              definition_snapshot=wf.definition, created_at=created or T0)
    if active_s is not None:
        run.started_at = (created or T0) + timedelta(seconds=1)
        run.completed_at = run.started_at + timedelta(seconds=active_s, milliseconds=paused_ms)
        run.paused_ms = paused_ms
    db.session.add(run)
    db.session.flush()
    for i, ms in enumerate(delivered_ms or []):
        db.session.add(Take(run_id=run.id, workspace_id=wf.workspace_id, node_id="out", node_type="sink_preview",
                            line_index=i, locale="en-us", status="done", duration_ms=ms))
    db.session.commit()
    return run


def _summary(api, wf_id, **params):
    body = assert_envelope(api.get(f"/api/v1/workflows/{wf_id}/runs/summary", query_string=params))
    ApiResponseRunsSummaryOut.model_validate(body)
    return body["data"]


def test_summary_counts_rates_and_durations(owner_api):
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={
        "name": "Summary", "definition": espeak_definition("Hi.")}), 201)["data"]
    empty = _summary(owner_api, wf["id"])
    assert empty == {"total_runs": 0, "completed": 0, "failed": 0, "cancelled": 0, "pending": 0, "running": 0,
                     "paused": 0, "pass_rate": None, "delivered_audio_ms": 0, "average_duration_seconds": None}
    make_run(wf["id"], "completed", created=T0, active_s=10, paused_ms=5000, delivered_ms=[1000, 500])
    make_run(wf["id"], "completed", created=T0 + timedelta(days=1), active_s=20, delivered_ms=[700])
    make_run(wf["id"], "failed", created=T0 + timedelta(days=2), active_s=3)
    for status in ("cancelled", "cancelled", "pending", "running", "paused"):
        make_run(wf["id"], status, created=T0 + timedelta(days=3))
    s = _summary(owner_api, wf["id"])
    assert (s["total_runs"], s["completed"], s["failed"], s["cancelled"], s["pending"], s["running"],
            s["paused"]) == (8, 2, 1, 2, 1, 1, 1)
    assert s["pass_rate"] == 2 / 3                      # cancelled runs are left out (SDK 0.16.1)
    assert s["average_duration_seconds"] == 15.0        # paused time is not active time
    assert s["delivered_audio_ms"] == 2200
    # from/to filter created_at (inclusive)
    s = _summary(owner_api, wf["id"], **{"from": "2024-05-02T12:00:00Z", "to": "2024-05-03T12:00:00+00:00"})
    assert (s["total_runs"], s["completed"], s["failed"], s["pass_rate"]) == (2, 1, 1, 0.5)
    assert s["average_duration_seconds"] == 20.0 and s["delivered_audio_ms"] == 700
    s = _summary(owner_api, wf["id"], **{"from": "2024-05-01T14:00:00+02:00", "to": "2024-05-01T14:00:00+02:00"})
    assert s["total_runs"] == 1                         # 14:00+02:00 == 12:00Z
    s = _summary(owner_api, wf["id"], to="2024-04-30T00:00:00Z")
    assert s["total_runs"] == 0 and s["pass_rate"] is None and s["average_duration_seconds"] is None


def test_summary_from_to_need_offsets_and_order(owner_api):
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={
        "name": "Summary", "definition": espeak_definition("Hi.")}), 201)["data"]
    url = f"/api/v1/workflows/{wf['id']}/runs/summary"
    assert_error(owner_api.get(url, query_string={"from": "2024-05-01T12:00:00"}), 422, "VALIDATION_ERROR")
    assert_error(owner_api.get(url, query_string={"to": "2024-05-01"}), 422, "VALIDATION_ERROR")
    assert_error(owner_api.get(url, query_string={"from": "yesterday"}), 422, "VALIDATION_ERROR")
    assert_error(owner_api.get(url, query_string={"from": "2024-05-02T00:00:00Z", "to": "2024-05-01T00:00:00Z"}),
                 422, "VALIDATION_ERROR")
