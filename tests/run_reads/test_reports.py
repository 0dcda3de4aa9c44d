"""overview, analysis and outputs of real runs, checked field by field against SCHEMAS.md and
parsed by the SDK's own models."""
from onepin.types import (ApiResponseWorkflowRunAnalysisOut, ApiResponseWorkflowRunOutputsOut,
                          ApiResponseWorkflowRunOverviewOut)
from sqlalchemy import select

from app.extensions import db
from app.models import Run, Take
from tests.conftest import assert_envelope
from tests.engine.conftest import espeak_definition
from tests.run_reads.conftest import TEXT3, fetch_signed, start_and_finish

METRIC_REQ = {"key", "label", "formatted_value", "status", "display"}
NODE_STATE_REQ = {"node_id", "node_type", "status"}
VALIDATOR_REQ = {"node_id", "kind", "label", "status"}


def _get(api, wf, run, what, model):
    body = assert_envelope(api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/{what}"))
    model.model_validate(body)
    return body["data"]


def test_overview_of_a_completed_run(owner_api, three_line_run):
    wf, run = three_line_run
    o = _get(owner_api, wf, run, "overview", ApiResponseWorkflowRunOverviewOut)
    assert o["workflow"] == {"id": wf["id"], "name": wf["name"]}
    r = o["run"]
    assert {"id", "status", "run_number", "created_at"} <= set(r)
    assert r["id"] == run["id"] and r["status"] == "completed" and r["run_number"] == 1 and r["has_export"] is True
    [section] = o["metric_sections"]
    assert {"key", "layout"} <= set(section)
    metrics = {m["key"]: m for m in section["metrics"]}
    for m in metrics.values():
        assert METRIC_REQ <= set(m) and "variant" in m["display"] and m["status"] == "available"
    sink_ms = sum(t.duration_ms for t in db.session.scalars(select(Take).where(
        Take.run_id == run["id"], Take.node_type == "sink_preview")))
    assert metrics["lines_delivered"]["value"] == 3
    assert metrics["audio_duration"]["value"] == sink_ms
    assert metrics["credits"]["value"] == run["credits"] >= 1
    assert metrics["duration"]["value"] > 0
    [lang] = o["audio_by_language"]
    assert lang == {"locale_code": "en-us", "line_count": 3, "total_duration_ms": sink_ms,
                    "avg_duration_ms": round(sink_ms / 3)}
    assert o["validators"] == []
    snap = o["workflow_snapshot"]
    assert snap["definition"] == db.session.get(Run, run["id"]).definition_snapshot
    states = {s["node_id"]: s for s in snap["node_states"]}
    assert list(states) == ["src", "gen", "out"]
    for s in states.values():
        assert NODE_STATE_REQ <= set(s) and s["status"] == "completed" and s["iteration"] == 1
    assert states["gen"]["duration_ms"] >= 0 and states["gen"]["started_at"] and states["gen"]["error"] is None


def test_analysis_of_a_completed_run(owner_api, three_line_run):
    wf, run = three_line_run
    a = _get(owner_api, wf, run, "analysis", ApiResponseWorkflowRunAnalysisOut)
    assert a["run"]["id"] == run["id"] and a["run"]["status"] == "completed" and a["run"]["duration_ms"] > 0
    audio = a["audio"]
    assert audio["status"] == "available"
    [loc] = audio["by_locale"]
    assert {"locale_code", "delivered_duration_ms", "delivered_line_count", "replaced_duration_ms"} <= set(loc)
    assert loc["delivered_line_count"] == 3 and loc["replaced_duration_ms"] == 0
    assert loc["delivered_duration_ms"] == audio["delivered_total_ms"] == audio["generated_total_ms"]
    credits = a["credits"]
    assert credits["status"] == "ok" and credits["charged"] == run["credits"]
    rows = {r["node_id"]: r for r in credits["rows"]}
    assert list(rows) == ["src", "gen", "out"]
    for r in rows.values():
        assert {"node_id", "node_type", "status"} <= set(r) and isinstance(r["credits_fractional"], str)
    gen = rows["gen"]
    units = sum(len(line) for line in TEXT3.splitlines())
    milli = sum(t.credits_milli for t in db.session.scalars(select(Take).where(
        Take.run_id == run["id"], Take.node_type == "operator_generator")))
    assert gen["status"] == "recorded" and gen["unit"] and gen["processed_units"] > 0
    assert gen["processed_units"] == units
    assert float(gen["credits_fractional"]) == milli / 1000 and credits["total_fractional"] == gen["credits_fractional"]
    assert rows["src"]["status"] == "free" and rows["out"]["status"] == "free"
    assert rows["src"]["credits_fractional"] == "0"


def test_outputs_of_a_completed_run(owner_api, client, three_line_run):
    wf, run = three_line_run
    o = _get(owner_api, wf, run, "outputs", ApiResponseWorkflowRunOutputsOut)
    assert o["run_id"] == run["id"] and o["run_status"] == "completed"
    [out] = o["outputs"]
    assert {"node_id", "node_type", "display_name", "status", "lines", "line_count", "truncated"} <= set(out)
    assert out["node_id"] == "out" and out["node_type"] == "sink_preview" and out["display_name"] == "Export"
    assert out["status"] == "completed" and out["line_count"] == 3 and out["truncated"] is False
    assert [ln["line_index"] for ln in out["lines"]] == [0, 1, 2]
    for ln in out["lines"]:
        assert ln["delivery"] == {"passed": True, "failing_checks": []}
        [f] = ln["audio_files"]
        assert f["locale"] == "en-us" and f["format"] == "wav"
        assert fetch_signed(client, f["playback_url"]).data[:4] == b"RIFF"


def test_reports_with_a_validator_retry_and_a_drop(owner_api, owner, fake_validator):
    text = "A clear first line.\nMumble mumble mumble."
    definition = espeak_definition(text, validator={"type": "validator_naturalness", "fail_to": "gen",
                                                    "config": {"threshold": 60, "max_retries": 1}})
    wf, run = start_and_finish(owner_api, owner, definition, plugins=True)
    o = _get(owner_api, wf, run, "overview", ApiResponseWorkflowRunOverviewOut)
    [v] = o["validators"]
    assert VALIDATOR_REQ <= set(v)
    assert (v["node_id"], v["kind"], v["label"], v["status"]) == ("val", "naturalness", "Naturalness", "available")
    assert (v["pass_count"], v["fail_count"], v["retry_count"]) == (1, 2, 1)
    assert v["pass_rate"] == 1 / 3 and v["avg_score"] == (90 + 20 + 20) / 3
    states = {s["node_id"]: s for s in o["workflow_snapshot"]["node_states"]}
    assert states["gen"]["iteration"] == 2                      # the retry is a second iteration
    a = _get(owner_api, wf, run, "analysis", ApiResponseWorkflowRunAnalysisOut)
    [va] = a["validators"]
    assert va["threshold"] == 60.0 and va["max_retries"] == 1 and va["retry_count"] == 1
    assert va["status"] == "available" and va["locales"][0]["fail_count"] == 2
    [loc] = a["audio"]["by_locale"]
    assert loc["delivered_line_count"] == 1 and loc["replaced_duration_ms"] > 0   # two rejected takes
    assert a["credits"]["rows"][1]["retries"] == 1
    outs = _get(owner_api, wf, run, "outputs", ApiResponseWorkflowRunOutputsOut)["outputs"]
    assert [ln["line_index"] for ln in outs[0]["lines"]] == [0]


def test_reports_while_running(owner_api, three_line_run):
    wf, run = three_line_run
    row = db.session.get(Run, run["id"])
    row.status, row.completed_at = "running", None
    db.session.commit()
    a = _get(owner_api, wf, run, "analysis", ApiResponseWorkflowRunAnalysisOut)
    assert a["credits"]["status"] == "partial" and a["credits"]["reason"] == "run_not_settled"
    assert a["audio"]["status"] == "partial"
    o = _get(owner_api, wf, run, "overview", ApiResponseWorkflowRunOverviewOut)
    metrics = {m["key"]: m for m in o["metric_sections"][0]["metrics"]}
    assert metrics["credits"]["status"] == "not_ready" and metrics["duration"]["status"] == "not_ready"
    _get(owner_api, wf, run, "outputs", ApiResponseWorkflowRunOutputsOut)


def test_reports_of_a_pending_run(owner_api):
    from tests.run_reads.test_summary import make_run
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={
        "name": "Pending", "definition": espeak_definition("One line.")}), 201)["data"]
    run = {"id": make_run(wf["id"], "pending").id}
    o = _get(owner_api, wf, run, "overview", ApiResponseWorkflowRunOverviewOut)
    assert all(s["status"] == "pending" for s in o["workflow_snapshot"]["node_states"])
    a = _get(owner_api, wf, run, "analysis", ApiResponseWorkflowRunAnalysisOut)
    assert all(r["status"] == "not_completed" for r in a["credits"]["rows"])
    outs = _get(owner_api, wf, run, "outputs", ApiResponseWorkflowRunOutputsOut)["outputs"]
    assert outs[0]["lines"] == [] and outs[0]["status"] == "pending"
