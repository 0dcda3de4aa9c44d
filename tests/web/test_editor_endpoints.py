"""The canvas editor's server side: the page, autosave with versions and the validator's problems,
settings panels rendered from config schemas, the voice picker (same voice_map entry as the CLI's
set-voice), two-step uploads, import/export, version restore, estimate and the run launch.
Viewers get read-only pages and every change they try is refused by the server."""
from __future__ import annotations

import copy
import json
import re
import uuid

import pytest

from app.extensions import db
from app.models import Run, Workflow, WorkflowVersion
from app.services import workflows as wf_svc
from tests.editor_voices import editor_voice_rows, editor_voices  # noqa: F401  (fixtures)
from tests.factories import membership
from tests.web.conftest import unlabelled_controls

ESPEAK = {"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng", "voice_name": "eSpeak English"}


def definition(text="Hello there.\nSecond line.", threshold=85):
    return {"graph": {
        "nodes": [
            {"id": "script-1", "type": "source_script", "position": {"x": 80, "y": 80},
             "config": {"text": text, "source_language": "en-us", "upload_id": None}, "config_version": 1},
            {"id": "generator-1", "type": "operator_generator", "name": "Voice", "position": {"x": 360, "y": 80},
             "config": {"voice_map": {"en-us": [dict(ESPEAK)]}}, "config_version": 1},
            {"id": "error-rate-1", "type": "validator_error_rate", "position": {"x": 640, "y": 80},
             "config": {"threshold": threshold, "max_retries": 2}, "config_version": 2},
            {"id": "preview-1", "type": "sink_preview", "position": {"x": 920, "y": 80},
             "config": {"format": "wav"}, "config_version": 2},
        ],
        "edges": [
            {"id": "e1", "source": "script-1", "sourcePort": "lines", "target": "generator-1", "targetPort": "lines"},
            {"id": "e2", "source": "generator-1", "sourcePort": "lines", "target": "error-rate-1", "targetPort": "lines"},
            {"id": "e3", "source": "error-rate-1", "sourcePort": "pass", "target": "preview-1", "targetPort": "lines"},
            {"id": "e4", "source": "error-rate-1", "sourcePort": "fail", "target": "generator-1", "targetPort": "lines"},
        ]}}


@pytest.fixture
def wf(workspace, owner):
    w = wf_svc.create(workspace, membership(workspace, owner), owner, {"name": "Canvas", "definition": definition()})
    db.session.commit()
    return w


def _json(web, path, body, csrf=True):
    headers = {"X-CSRFToken": web.csrf} if csrf else {}
    return web.client.post(path, json=body, headers=headers)


def _data(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="editor-data">(.*?)</script>', html, re.S).group(1))


def test_editor_page_for_editors_and_viewers(admin_web, login_as, viewer, wf):
    html = admin_web.text(f"/workflows/{wf.id}/edit")
    data = _data(html)
    assert data["can_edit"] and data["can_run"] and data["definition"] == wf_svc.workflow_out(wf)["definition"]
    assert {t["type"] for t in data["catalog"]} >= {"source_script", "operator_generator", "validator_error_rate"}
    gen = next(t for t in data["catalog"] if t["type"] == "operator_generator")
    assert gen["inputs"] == [{"name": "lines", "kind": "any"}] and gen["outputs"] == [{"name": "lines", "kind": "audio"}]
    assert 'data-node-type="validator_error_rate"' in html and "Transcribes the audio" in html   # palette + description
    assert "<h3>Validators</h3>" in html and 'id="run-button"' in html and 'id="import-file"' in html
    assert unlabelled_controls(html) == []

    ro = login_as(viewer).text(f"/workflows/{wf.id}/edit")
    data = _data(ro)
    assert not data["can_edit"] and not data["can_run"]
    for control in ('class="palette"', 'id="run-button"', 'id="import-file"', 'id="undo"', 'id="wf-name"'):
        assert control not in ro, control
    assert "Read only" in ro and unlabelled_controls(ro) == []


def test_autosave_writes_versions_and_reports_problems(admin_web, wf):
    url = f"/workflows/{wf.id}/editor/save"
    before = db.session.scalar(db.select(db.func.count()).select_from(WorkflowVersion).filter_by(workflow_id=wf.id))
    changed = definition(text="Only one line now.")
    res = _json(admin_web, url, {"definition": changed, "base_version": before}).get_json()
    assert res["saved"] and res["new_version"] and res["version"] == before + 1 and res["problems"] == []
    res = _json(admin_web, url, {"definition": changed, "base_version": before + 1}).get_json()
    assert res["saved"] and not res["new_version"] and res["version"] == before + 1     # nothing changed
    db.session.expire_all()
    assert db.session.get(Workflow, wf.id).definition == changed

    bad = definition(threshold=30)                     # below the validator's 50-100 range
    res = _json(admin_web, url, {"definition": bad, "base_version": before + 1}).get_json()
    assert not res["saved"] and res["blocking"] == 1
    (p,) = [p for p in res["problems"] if p["blocks_save"]]
    assert p["node_id"] == "error-rate-1" and p["field"] == "graph.nodes[2].config.threshold"
    assert p["rule"] == "config_out_of_range"
    db.session.expire_all()
    assert db.session.get(Workflow, wf.id).definition == changed                       # nothing was stored

    no_voice = definition()
    no_voice["graph"]["nodes"][1]["config"]["voice_map"] = {}
    res = _json(admin_web, url, {"definition": no_voice, "base_version": before + 1}).get_json()
    assert res["saved"] and res["blocking"] == 0                                       # a draft may lack a voice
    assert [(p["rule"], p["node_id"], p["blocks_save"]) for p in res["problems"]] == [
        ("missing_voice", "generator-1", False)]

    res = _json(admin_web, url, {"name": "Renamed on canvas", "base_version": before + 2}).get_json()
    assert res["name"] == "Renamed on canvas" and res["version"] == before + 3
    assert _json(admin_web, url, {"definition": changed, "base_version": before + 3}, csrf=False).status_code == 400


def test_viewer_forged_posts_are_refused(login_as, viewer, wf, editor_voices):
    web = login_as(viewer)
    original = copy.deepcopy(wf.definition)
    res = _json(web, f"/workflows/{wf.id}/editor/save", {"definition": definition(text="Forged")})
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "FORBIDDEN"
    assert _json(web, f"/workflows/{wf.id}/editor/save", {"definition": {}}, csrf=False).status_code == 400
    assert _json(web, f"/workflows/{wf.id}/editor/import", {"text": "{}"}).status_code == 403
    assert web.post(f"/workflows/{wf.id}/editor/config", {"node_type": "sink_preview", "node_id": "preview-1",
                                                          "_fields": "format", "cfg.format": "mp3"}).status_code == 403
    assert web.post(f"/workflows/{wf.id}/editor/voices/choose",
                    {"voice_id": "espeak:en-us", "locale": "en-us", "node_id": "generator-1"}).status_code == 403
    assert web.post(f"/workflows/{wf.id}/editor/versions/1/restore", {}).status_code == 403
    resp = web.post(f"/workflows/{wf.id}/run", {}, htmx=True)
    assert resp.status_code == 403 and "Viewers cannot run workflows." in resp.get_data(as_text=True)
    assert _json(web, f"/workflows/{wf.id}/editor/uploads", {"filename": "a.txt"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Workflow, wf.id).definition == original
    assert db.session.scalar(db.select(db.func.count()).select_from(Run)) == 0
    # ... while reading stays open to them
    assert web.get(f"/workflows/{wf.id}/export").status_code == 200


def _panel(web, wf, defn, node_id):
    resp = web.post(f"/workflows/{wf.id}/editor/panel", {"definition": json.dumps(defn), "node_id": node_id}, htmx=True)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_data(as_text=True)


def test_settings_panels_are_drawn_from_config_schemas(admin_web, wf):
    defn = definition()
    html = _panel(admin_web, wf, defn, "error-rate-1")
    assert re.search(r'<input id="cfg-threshold" name="cfg.threshold" type="number" value="85" step="any"\s+min="50" max="100"', html)
    assert "From 50 to 100" in html and "Default: 85 (in use)" in html and 'data-problem-for="threshold"' in html
    assert 'name="cfg.max_retries" type="number" value="2" step="1"' in html
    assert unlabelled_controls(html) == []
    sink = _panel(admin_web, wf, defn, "preview-1")
    assert '<select id="cfg-format" name="cfg.format"' in sink and '<option value="mp3">MP3</option>' in sink
    norm = copy.deepcopy(defn)
    norm["graph"]["nodes"].append({"id": "normalizer-1", "type": "operator_normalizer", "position": {"x": 0, "y": 300},
                                   "config": {"expand_dates": False}, "config_version": 1})
    html = _panel(admin_web, wf, norm, "normalizer-1")
    assert 'id="cfg-expand_numbers" name="cfg.expand_numbers" type="checkbox" value="true" checked' in html
    assert re.search(r'id="cfg-expand_dates" name="cfg.expand_dates" type="checkbox" value="true"\s+aria', html)
    assert "Default: on." in html
    src = _panel(admin_web, wf, defn, "script-1")
    assert '<textarea id="cfg-text" name="cfg.text"' in src and "Detect automatically" in src
    assert 'id="line-count">2<' in src and "<li>Second line.</li>" in src
    assert unlabelled_controls(src) == []
    assert admin_web.post(f"/workflows/{wf.id}/editor/panel", {"definition": "{}", "node_id": "nope"}).status_code == 404


def test_generator_panel_lists_the_languages_that_reach_it(admin_web, wf):
    defn = definition()
    defn["graph"]["nodes"].append({"id": "translator-1", "type": "operator_translator", "position": {"x": 0, "y": 0},
                                   "config": {"target_languages": ["de-de"]}, "config_version": 1})
    defn["graph"]["edges"][0] = {"id": "e1", "source": "script-1", "sourcePort": "lines", "target": "translator-1",
                                 "targetPort": "lines"}
    defn["graph"]["edges"].append({"id": "e5", "source": "translator-1", "sourcePort": "lines",
                                   "target": "generator-1", "targetPort": "lines"})
    html = _panel(admin_web, wf, defn, "generator-1")
    rows = re.findall(r'<div class="voice-row" data-locale="([^"]+)"', html)
    assert rows == ["de-de", "en-us"]
    de, en = html.split('<div class="voice-row"')[1:3]
    assert "No voice yet" in de and 'data-action="pick-voice" data-locale="de-de"' in de
    assert "eSpeak English" in en and "No voice yet" not in en
    assert unlabelled_controls(html) == []


def test_config_form_reads_back_into_the_config(admin_web, wf):
    form = {"node_id": "error-rate-1", "node_type": "validator_error_rate", "node_name": "  Accuracy check ",
            "config": json.dumps({"threshold": 85, "max_retries": 2}), "_fields": ["threshold", "max_retries"],
            "cfg.threshold": "92.5", "cfg.max_retries": ""}
    resp = admin_web.post(f"/workflows/{wf.id}/editor/config", form, htmx=True)
    event = json.loads(resp.headers["HX-Trigger"])["onepin:config"]
    assert event == {"node_id": "error-rate-1", "name": "Accuracy check", "config": {"threshold": 92.5}}
    form.update({"cfg.threshold": "30", "cfg.max_retries": "3"})           # kept as typed: the validator judges it
    event = json.loads(admin_web.post(f"/workflows/{wf.id}/editor/config", form, htmx=True).headers["HX-Trigger"])
    assert event["onepin:config"]["config"] == {"threshold": 30, "max_retries": 3}
    src = {"node_id": "script-1", "node_type": "source_script", "config": json.dumps({"upload_id": None}),
           "_fields": ["text", "source_language"], "cfg.text": "One.\n\nTwo.\n", "cfg.source_language": "__null__"}
    resp = admin_web.post(f"/workflows/{wf.id}/editor/config", src, htmx=True)
    event = json.loads(resp.headers["HX-Trigger"])["onepin:config"]
    assert event["config"] == {"upload_id": None, "text": "One.\n\nTwo.\n", "source_language": None}
    assert 'id="line-count">2<' in resp.get_data(as_text=True)


def test_voice_picker_lists_plays_and_chooses_like_set_voice(admin_web, wf, editor_voices):
    base = f"/workflows/{wf.id}/editor/voices"
    html = admin_web.get(f"{base}?locale=en-us&node_id=generator-1", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="voice-sample-player"' in html and 'data-voice-id="espeak:en-us+f3"' in html
    assert 'data-voice-id="piper:en_US-joe-medium"' in html and 'data-voice-id="espeak:de+f3"' not in html
    assert unlabelled_controls(html) == []
    female = admin_web.get(f"{base}?locale=en-us&gender=female&provider=espeak",
                           headers={"HX-Request": "true", "HX-Target": "voice-results"}).get_data(as_text=True)
    ids = re.findall(r'<li class="voice-item[^"]*" data-voice-id="([^"]+)"', female)
    assert sorted(ids) == ["espeak:en-us+f1", "espeak:en-us+f3"] and "<form" not in female
    sample = re.search(r'data-sample="([^"]+)"', female).group(1).replace("&amp;", "&")
    assert sample.startswith("/_storage/get/")                       # the catalog's preview, same origin
    audio = admin_web.get(sample)
    assert audio.status_code == 200 and audio.mimetype.startswith("audio/") and len(audio.data) > 5000
    german = admin_web.get(f"{base}?locale=de-de&language=de", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-voice-id="espeak:de+f3"' in german and 'data-voice-id="espeak:en-us+f3"' not in german

    resp = admin_web.post(f"{base}/choose", {"voice_id": "espeak:en-us+f3", "locale": "en-us", "node_id": "generator-1"},
                          htmx=True)
    event = json.loads(resp.headers["HX-Trigger"])["onepin:voice"]
    # exactly the entry `onepin workflows set-voice` writes: provider id, catalog id, provider, model, name
    assert event["assignment"] == {"voice_id": "en-us+f3", "catalog_voice_id": "espeak:en-us+f3", "provider": "espeak",
                                   "model": "espeak-ng", "voice_name": editor_voices["espeak:en-us+f3"]["name"]}
    refused = admin_web.post(f"{base}/choose", {"voice_id": "espeak:de+f3", "locale": "en-us", "node_id": "generator-1"},
                             htmx=True)
    assert refused.status_code == 422 and "does not speak" in refused.get_data(as_text=True)
    gone = admin_web.post(f"{base}/choose", {"voice_id": "espeak:nope", "locale": "en-us", "node_id": "generator-1"},
                          htmx=True)
    assert gone.status_code == 404
    # the chosen entry saves and passes the run gates
    defn = definition()
    defn["graph"]["nodes"][1]["config"]["voice_map"] = {"en-us": [event["assignment"]]}
    res = _json(admin_web, f"/workflows/{wf.id}/editor/save", {"definition": defn, "base_version": 1}).get_json()
    assert res["saved"] and res["problems"] == []


def test_two_step_upload_from_the_browser(admin_web, wf):
    created = _json(admin_web, f"/workflows/{wf.id}/editor/uploads", {"filename": "lines.txt"}).get_json()
    url = created["upload_url"]
    assert url.startswith("/_storage/put/")                          # same origin as the page
    put = admin_web.client.put(url, data="First line.\nSecond line.\nThird.\n".encode(),
                               headers={"Content-Type": created["upload"]["content_type"]})
    assert put.status_code == 200
    done = _json(admin_web, f"/workflows/{wf.id}/editor/uploads/{created['upload']['id']}/confirm", {}).get_json()
    assert done["line_count"] == 3 and done["lines"][0] == "First line." and done["upload"]["status"] == "uploaded"
    defn = definition(text="")
    defn["graph"]["nodes"][0]["config"]["upload_id"] = created["upload"]["id"]
    html = _panel(admin_web, wf, defn, "script-1")
    assert "lines.txt" in html and 'id="line-count">3<' in html and "from the file" in html
    bad = _json(admin_web, f"/workflows/{wf.id}/editor/uploads", {"filename": "song.mp3"})
    assert bad.status_code == 422 and ".mp3 is not allowed" in bad.get_json()["error"]["message"]


def test_export_then_import_checks_before_replacing(admin_web, wf, api, owner_key):
    resp = admin_web.get(f"/workflows/{wf.id}/export")
    assert resp.status_code == 200 and "attachment;" in resp.headers["Content-Disposition"]
    doc = json.loads(resp.data)
    api_defn = api.as_(owner_key).get(f"/api/v1/workflows/{wf.id}").get_json()["data"]["definition"]
    assert doc["schema_version"] == 1 and doc["name"] == "Canvas" and doc["definition"] == api_defn

    url = f"/workflows/{wf.id}/editor/import"
    ok = _json(admin_web, url, {"text": json.dumps(doc)}).get_json()
    assert ok["ok"] and ok["definition"] == api_defn and ok["blocking"] == 0

    missing = _json(admin_web, url, {"text": json.dumps({"definition": doc["definition"]})}).get_json()
    assert not missing["ok"] and "schema_version is missing" in missing["problems"][0]["message"]
    assert not _json(admin_web, url, {"text": "not json"}).get_json()["ok"]
    broken = copy.deepcopy(doc)
    broken["definition"]["graph"]["edges"][0]["targetPort"] = "nowhere"
    res = _json(admin_web, url, {"text": json.dumps(broken)}).get_json()
    assert not res["ok"] and res["definition"] is None and res["blocking"] == 1
    assert res["problems"][0]["rule"] == "unknown_target_port" and res["problems"][0]["edge_id"] == "e1"

    unplaced = copy.deepcopy(doc)
    for n in unplaced["definition"]["graph"]["nodes"]:
        n.pop("position")
    res = _json(admin_web, url, {"text": json.dumps(unplaced)}).get_json()
    assert res["ok"] and res["laid_out"]
    xs = [n["position"]["x"] for n in res["definition"]["graph"]["nodes"]]
    assert xs == sorted(xs) and len(set(xs)) == 4                     # left to right, one column per step
    db.session.expire_all()
    assert db.session.get(Workflow, wf.id).definition == wf_svc.workflow_out(wf)["definition"]   # nothing replaced


def test_versions_and_restore_as_new_version(admin_web, wf):
    save = f"/workflows/{wf.id}/editor/save"
    _json(admin_web, save, {"definition": definition(text="Second version."), "base_version": 1})
    _json(admin_web, save, {"definition": definition(text="Third version."), "base_version": 2})
    html = admin_web.get(f"/workflows/{wf.id}/editor/versions", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.findall(r'data-version="(\d+)"', html) == ["3", "2", "1"]
    assert "Restore version 1 as a new version" in html and "Restore version 3" not in html
    resp = admin_web.post(f"/workflows/{wf.id}/editor/versions/1/restore", {}, htmx=True)
    assert "Version 1 restored as version 4." in resp.get_data(as_text=True)
    event = json.loads(resp.headers["HX-Trigger"])["onepin:restored"]
    assert event["version"] == 4 and event["definition"]["graph"]["nodes"][0]["config"]["text"] == "Hello there.\nSecond line."
    db.session.expire_all()
    notes = [v.note for v in db.session.scalars(db.select(WorkflowVersion).filter_by(workflow_id=wf.id)
                                                .order_by(WorkflowVersion.number))]
    assert notes == ["created", "edited", "edited", "restored from version 1"]


def test_latest_names_the_current_version_for_the_change_check(app, admin_web, login_as, editor, wf):
    data = _data(admin_web.text(f"/workflows/{wf.id}/edit"))
    assert data["change_check_ms"] == app.config["EDITOR_CHANGE_CHECK_SECONDS"] * 1000 > 0
    url = data["urls"]["latest"]
    assert url == f"/workflows/{wf.id}/editor/latest"
    resp = admin_web.client.get(url)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    assert resp.get_json()["version"] == 1 and resp.get_json()["latest"]["by_you"] is True
    # someone else saves: the next check names the new version, who saved it and when
    by_editor = login_as(editor)
    ours = _json(by_editor, f"/workflows/{wf.id}/editor/save", {"definition": definition(text="Theirs."),
                                                                  "base_version": 1}).get_json()
    assert ours["version"] == 2
    body = admin_web.client.get(url).get_json()
    assert body["version"] == 2 and body["latest"]["number"] == 2 and body["latest"]["by_you"] is False
    assert body["latest"]["by"] == (editor.display_name or editor.email) and body["latest"]["at"]
    # an unknown workflow is a 404; signed out, the login page
    assert admin_web.client.get(f"/workflows/{uuid.uuid4()}/editor/latest").status_code == 404
    assert app.test_client().get(url).status_code == 302


def test_estimate_run_dialog_and_launch(admin_web, wf):
    defn = definition()
    # the launch itself: Script -> Voice -> Export (node types with an engine on this server)
    simple = {"graph": {"nodes": [n for n in defn["graph"]["nodes"] if n["id"] != "error-rate-1"],
                        "edges": [defn["graph"]["edges"][0],
                                  {"id": "e2", "source": "generator-1", "sourcePort": "lines", "target": "preview-1",
                                   "targetPort": "lines"}]}}
    assert _json(admin_web, f"/workflows/{wf.id}/editor/save", {"definition": simple, "base_version": 1}).get_json()["saved"]
    est = admin_web.post(f"/workflows/{wf.id}/editor/estimate", {"definition": json.dumps(defn)}, htmx=True)
    html = est.get_data(as_text=True)
    assert re.search(r'data-expected="\d+"', html) and "credits" in html
    empty = definition(text="")
    html = admin_web.post(f"/workflows/{wf.id}/editor/estimate", {"definition": json.dumps(empty)}, htmx=True).get_data(as_text=True)
    assert "Add a script to see the cost" in html and "the script is empty" in html

    dialog = admin_web.post(f"/workflows/{wf.id}/run/preview", {}, htmx=True).get_data(as_text=True)
    low, mid, high = (int(re.search(rf'id="q-{k}">(\d+)<', dialog).group(1)) for k in ("min", "expected", "max"))
    assert 1 <= low <= mid <= high and 'id="q-balance"' in dialog and 'id="run-confirm"' in dialog
    held = min(high, int(re.search(r'id="q-balance">(\d+)<', dialog).group(1)))
    assert (f"Up to {held:,} credit is held" if held == 1 else f"Up to {held:,} credits are held") in dialog
    one = re.search(r"<strong>(\d+)</strong> (credits?)\n", est.get_data(as_text=True))
    assert one and one.group(2) == ("credit" if one.group(1) == "1" else "credits")
    assert unlabelled_controls(dialog) == []
    longer = admin_web.post(f"/workflows/{wf.id}/run/preview", {"use_script": ["false", "true"],
                                                                "script_text": "word " * 3000}, htmx=True).get_data(as_text=True)
    assert int(re.search(r'id="q-expected">(\d+)<', longer).group(1)) > mid

    resp = admin_web.post(f"/workflows/{wf.id}/run", {"use_script": ["false", "true"], "script_text": "Just once."},
                          htmx=True)
    assert resp.status_code == 204, resp.get_data(as_text=True)[:500]
    run = db.session.scalar(db.select(Run).filter_by(workflow_id=wf.id))
    assert resp.headers["HX-Redirect"] == f"/runs/{run.id}" and run.script_text == "Just once."
    again = admin_web.post(f"/workflows/{wf.id}/run", {}, htmx=True)
    assert again.status_code == 409 and "still active" in again.get_data(as_text=True)


def test_editor_modules_are_served_as_javascript(client):
    """Browsers refuse a module script of any other type, whatever the host's /etc/mime.types says."""
    resp = client.get("/static/js/editor/main.js")
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert b"import " in resp.data
