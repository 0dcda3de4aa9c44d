"""workflows.* CRUD, versions, validation errors, round trips."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Workflow, WorkflowVersion
from tests.conftest import assert_envelope, assert_error
from tests.factories import add_member, make_key, make_user, make_workspace


def linear(voice=True):
    gen_cfg = {"voice_map": {"en-us": [{"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"}]}} if voice else {}
    return {"graph": {"nodes": [
        {"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": "Hello world.\nSecond line."}},
        {"id": "gen", "type": "operator_generator", "position": {"x": 300, "y": 0}, "config": gen_cfg},
        {"id": "wer", "type": "validator_error_rate", "position": {"x": 600, "y": 0}, "config": {"threshold": 80, "max_retries": 1}},
        {"id": "out", "type": "sink_preview", "position": {"x": 900, "y": 0}, "config": {"format": "wav"}},
    ], "edges": [
        {"id": "e1", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
        {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "wer", "targetPort": "lines"},
        {"id": "e3", "source": "wer", "sourcePort": "pass", "target": "out", "targetPort": "lines"},
        {"id": "e4", "source": "wer", "sourcePort": "fail", "target": "gen", "targetPort": "lines"},
    ]}}


def test_create_get_patch_round_trip_writes_versions(owner_api, workspace):
    body = assert_envelope(owner_api.post("/api/v1/workflows", json={"name": "Narration", "definition": linear()}), 201)
    wf = body["data"]
    assert wf["name_source"] == "user" and wf["runs_count"] == 0 and wf["last_run_status"] is None
    got = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}"))["data"]
    # whatever GET returns is accepted back unchanged by PATCH
    again = assert_envelope(owner_api.patch(f"/api/v1/workflows/{wf['id']}", json={"definition": got["definition"]}))["data"]
    assert again["definition"] == got["definition"]
    n = db.session.scalar(select(func.count()).select_from(WorkflowVersion).where(WorkflowVersion.workflow_id == wf["id"]))
    assert n == 1  # an unchanged definition writes no new version
    assert_envelope(owner_api.patch(f"/api/v1/workflows/{wf['id']}", json={"name": "Narration v2"}))
    n = db.session.scalar(select(func.count()).select_from(WorkflowVersion).where(WorkflowVersion.workflow_id == wf["id"]))
    assert n == 2


def test_placeholder_name_and_empty_definition(owner_api):
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={}, headers={"Content-Type": "application/json"}), 201)["data"]
    assert wf["name"] == "Untitled workflow" and wf["name_source"] == "placeholder"
    assert wf["definition"]["graph"] == {"nodes": [], "edges": []}


def test_invalid_definition_is_422_with_node_details_and_nothing_saved(owner_api):
    defn = linear()
    defn["graph"]["nodes"][2]["config"]["threshold"] = 500
    defn["graph"]["edges"].append({"id": "e9", "source": "nope", "sourcePort": "lines", "target": "out", "targetPort": "lines"})
    err = assert_error(owner_api.post("/api/v1/workflows", json={"name": "Bad", "definition": defn}), 422, "VALIDATION_ERROR")
    details = err["error"]["details"]
    assert any(d.get("node_id") == "wer" and d["field"].endswith("config.threshold") for d in details)
    assert any(d.get("edge_id") == "e9" for d in details)
    assert db.session.scalar(select(func.count()).select_from(Workflow)) == 0


def test_patch_needs_a_field_and_null_definition_is_422(owner_api):
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={"name": "A"}), 201)["data"]
    assert_error(owner_api.patch(f"/api/v1/workflows/{wf['id']}", json={}), 422, "VALIDATION_ERROR")
    assert_error(owner_api.patch(f"/api/v1/workflows/{wf['id']}", json={"definition": None}), 422, "VALIDATION_ERROR")
    assert_error(owner_api.put(f"/api/v1/workflows/{wf['id']}", json={"name": "B"}), 422, "VALIDATION_ERROR")
    put = assert_envelope(owner_api.put(f"/api/v1/workflows/{wf['id']}", json={"name": "B", "definition": linear(), "description": None}))
    assert put["data"]["name"] == "B" and put["data"]["description"] is None


def test_delete_duplicate_markdown_and_viewer_refusal(api, owner_api, workspace):
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={"name": "Promo", "description": "d", "definition": linear()}), 201)["data"]
    dup = assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/duplicate"), 201)["data"]
    assert dup["name"] == "Promo (Copy)" and dup["definition"] == wf["definition"] and dup["id"] != wf["id"]
    md = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}/markdown"))["data"]["markdown"]
    assert md.startswith("# Promo") and "Retry loops" in md and "espeak" in md
    viewer = add_member(workspace, role="viewer")
    vapi = api.as_(make_key(workspace, viewer, "workflows:read"))
    assert_envelope(vapi.get(f"/api/v1/workflows/{wf['id']}"))
    assert_error(vapi.post("/api/v1/workflows", json={"name": "x"}), 403, "FORBIDDEN")   # scope
    assert_envelope(owner_api.delete(f"/api/v1/workflows/{wf['id']}"))
    assert_error(owner_api.get(f"/api/v1/workflows/{wf['id']}"), 404, "NOT_FOUND")
    assert_error(owner_api.patch(f"/api/v1/workflows/{wf['id']}", json={"name": "z"}), 404, "NOT_FOUND")


def test_viewer_role_cannot_write_even_with_a_write_scope(api, workspace):
    editor = add_member(workspace, role="editor")
    key = make_key(workspace, editor, "workflows:write,workflows:read")
    from app.models import Membership
    m = db.session.scalar(select(Membership).filter_by(workspace_id=workspace.id, user_id=editor.id))
    m.role = "viewer"
    db.session.commit()
    assert_error(api.as_(key).post("/api/v1/workflows", json={"name": "x"}), 403, "FORBIDDEN")


def test_other_workspace_workflow_is_404(api, owner_api):
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={"name": "Mine"}), 201)["data"]
    other = make_user()
    ws2 = make_workspace(other)
    oapi = api.as_(make_key(ws2, other, "all"))
    for method, path in [("GET", ""), ("PATCH", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/duplicate"), ("GET", "/markdown")]:
        assert_error(oapi.request(method, f"/api/v1/workflows/{wf['id']}{path}", json={"name": "x", "definition": {}}), 404)


def test_validate_endpoint_reports_run_gates(owner_api):
    data = assert_envelope(owner_api.post("/api/v1/workflows/validate", json={"definition": linear(voice=False)}))["data"]
    assert data["valid"] is False and any(e["rule"] == "missing_voice" for e in data["errors"])
    data = assert_envelope(owner_api.post("/api/v1/workflows/validate", json={"definition": linear()}))["data"]
    assert data["valid"] is True and data["summary"]["node_count"] == 4
    assert_error(owner_api.post("/api/v1/workflows/validate", json={}), 422)


def test_name_availability(owner_api):
    assert assert_envelope(owner_api.get("/api/v1/workflows/name-availability?name=%20Hi%20"))["data"] == {"name": "Hi", "available": True}
    assert_error(owner_api.get("/api/v1/workflows/name-availability?name="), 422)


def test_nodes_and_providers(api, owner_api):
    nodes = assert_envelope(api.get("/api/v1/nodes"))  # no auth at all
    assert len(nodes["data"]) == 11 and nodes["pagination"]["limit"] == 11
    d = assert_envelope(owner_api.get("/api/v2/nodes/operator_generator"))["data"]
    assert d["category"] == "operator" and d["options"]["providers"]["target"] == "/api/v1/providers"
    assert_error(owner_api.get("/api/v2/nodes/nope"), 404)
    provs = assert_envelope(owner_api.get("/api/v1/providers"))["data"]
    assert {p["provider"] for p in provs} >= {"espeak", "piper"}
    models = assert_envelope(owner_api.get("/api/v1/providers/espeak/models"))["data"]
    assert models[0]["controls"]["speed"]["default"] == 1.0
    assert_error(owner_api.get("/api/v1/providers/nope"), 404)
    assert_error(owner_api.get("/api/v1/providers/espeak/models/nope"), 404)
    v = assert_envelope(owner_api.get("/api/v1/providers/espeak/models/espeak-ng/voices"))
    assert "total" in v["pagination"]
