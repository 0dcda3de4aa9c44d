"""The canvas and the official CLI agree: what the browser saves is exactly what the API returns and
what `onepin workflows show` prints; a workflow made with `onepin workflows create` without
positions (every node at 0,0) opens laid out left to right, readable, and saves that layout.
Also copy/paste, auto-layout, version restore and a script upload, driven from the page."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Workflow, WorkflowVersion
from tests.e2e.editor_helpers import a11y_problems, edges, log_in, node, select_node, version, wait_saved
from tests.editor_voices import editor_voice_rows, editor_voices  # noqa: F401  (fixtures)
from tests.factories import make_key, make_user, make_workspace

pytestmark = pytest.mark.e2e
ONEPIN = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "onepin")


class Cli:
    def __init__(self, home: Path):
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        drop = ("ONEPIN_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "TEST_DATABASE_URL", "TEST_REDIS_URL")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        self.env.update({"HOME": str(home), "ONEPIN_NO_UPDATE_CHECK": "1", "COLUMNS": "200",
                         "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CACHE_HOME": str(home / ".cache")})

    def __call__(self, *args: str) -> str:
        r = subprocess.run([ONEPIN, *args], env=self.env, cwd=self.home, capture_output=True, text=True, timeout=90)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
        return r.stdout


def _unplaced() -> dict:
    """A pipeline written by hand for the CLI: every node at (0, 0), listed out of order."""
    nodes = [("export", "sink_preview", {"format": "wav"}), ("check", "validator_error_rate", {"threshold": 80}),
             ("script", "source_script", {"text": "One line.\nAnother line.", "source_language": "en-us"}),
             ("voice", "operator_generator", {"voice_map": {"en-us": [{"voice_id": "en-us", "provider": "espeak",
                                                                       "model": "espeak-ng"}]}}),
             ("norm", "operator_normalizer", {})]
    links = [("script", "lines", "norm"), ("norm", "lines", "voice"), ("voice", "lines", "check"),
             ("check", "pass", "export"), ("check", "fail", "voice")]
    return {"graph": {
        "nodes": [{"id": i, "type": t, "position": {"x": 0, "y": 0}, "config": c} for i, t, c in nodes],
        "edges": [{"id": f"e{k}", "source": s, "sourcePort": p, "target": d, "targetPort": "lines"}
                  for k, (s, p, d) in enumerate(links, 1)]}}


def test_browser_api_and_cli_agree_and_cli_workflows_open_laid_out(browser, visitor, live_server, api, tmp_path,
                                                                   editor_voices):
    user = make_user(email="cli@example.com", name="Cleo")
    ws = make_workspace(user, name="CLI studio")
    key = make_key(ws, user)
    cli = Cli(tmp_path / "home")
    cli("login", "--base-url", live_server, "--key", key)
    spec = tmp_path / "unplaced.json"
    spec.write_text(json.dumps(_unplaced()))
    out = cli("workflows", "create", "--name", "From the CLI", "--definition", f"@{spec}")
    wf_id = re.search(r"Created workflow ([0-9a-f-]{36})", out).group(1)

    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    v = visitor(ctx.new_page(), "cli")
    page = v.page
    page.on("dialog", lambda d: d.accept())
    log_in(page, live_server, user.email)
    v.goto(f"/workflows/{wf_id}/edit")
    expect(page.locator("#drawflow")).to_have_attribute("data-ready", "true")
    expect(page.locator("#laid-out-note")).to_contain_text("arranged left to right")
    v.check("laid-out")
    # readable: no two cards overlap, and every connection runs left to right except the retry loop
    boxes = {nid: node(page, nid).bounding_box() for nid in ("script", "norm", "voice", "check", "export")}
    ids = list(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            A, B = boxes[a], boxes[b]
            assert (A["x"] + A["width"] <= B["x"] or B["x"] + B["width"] <= A["x"]
                    or A["y"] + A["height"] <= B["y"] or B["y"] + B["height"] <= A["y"]), (a, b)
    order = sorted(ids, key=lambda n: boxes[n]["x"])
    assert order == ["script", "norm", "voice", "check", "export"]
    for nid in ids:                                  # all on screen at the initial zoom
        assert 0 <= boxes[nid]["x"] and boxes[nid]["x"] + boxes[nid]["width"] <= 1280 - 320

    # edit in the browser: the first edit saves the layout too
    select_node(page, "check")
    first = version(page)
    page.fill("#cfg-threshold", "88")
    page.fill("#cfg-node-name", "Accuracy")
    page.wait_for_function("() => window.onepinEditor.definition().graph.nodes.some(n => n.name === 'Accuracy')")
    wait_saved(page, since=first)
    expect(node(page, "check").locator(".node-title")).to_have_text("Accuracy")
    saved = page.evaluate("window.onepinEditor.definition()")
    api_defn = api.as_(key).get(f"/api/v1/workflows/{wf_id}").get_json()["data"]["definition"]
    shown = json.loads(cli("--json", "workflows", "show", wf_id))["definition"]
    assert saved == api_defn == shown
    check = next(n for n in shown["graph"]["nodes"] if n["id"] == "check")
    assert check["name"] == "Accuracy" and check["config"] == {"threshold": 88}
    assert all(n["position"] != {"x": 0, "y": 0} for n in shown["graph"]["nodes"])

    # a voice chosen in the picker is the entry `onepin workflows set-voice` writes for the same voice
    select_node(page, "voice")
    page.locator('.voice-row[data-locale="en-us"]').get_by_role("button", name=re.compile("Change the")).click()
    page.locator('.voice-item[data-voice-id="espeak:en-us+m3"]').get_by_role("button", name=re.compile("^Choose ")).click()
    expect(page.locator('.voice-row[data-locale="en-us"] .voice-name')).to_have_text(editor_voices["espeak:en-us+m3"]["name"])
    page.wait_for_function("() => window.onepinEditor.definition().graph.nodes.find(n => n.id === 'voice')"
                           ".config.voice_map['en-us'][0].catalog_voice_id === 'espeak:en-us+m3'")
    wait_saved(page)
    picked = api.as_(key).get(f"/api/v1/workflows/{wf_id}").get_json()["data"]["definition"]
    picked_entry = next(n for n in picked["graph"]["nodes"] if n["id"] == "voice")["config"]["voice_map"]
    out = cli("--json", "workflows", "set-voice", wf_id, "--locale", "en-us", "--voice", "espeak:en-us+m3")
    result = json.loads(out)
    assert result["previous"] == picked_entry["en-us"] == [result["voice"]]
    cli_defn = api.as_(key).get(f"/api/v1/workflows/{wf_id}").get_json()["data"]["definition"]
    assert cli_defn == picked                                 # set-voice of the same voice changes nothing
    page.reload()
    expect(page.locator("#drawflow")).to_have_attribute("data-ready", "true")

    # copy / paste a node (keyboard), then arrange
    select_node(page, "check")
    depth = page.evaluate("window.onepinEditor.undoDepth()")
    page.locator("#drawflow").focus()
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(node(page, "error-rate-1")).to_be_visible()
    pasted = next(n for n in page.evaluate("window.onepinEditor.definition()")["graph"]["nodes"] if n["id"] == "error-rate-1")
    assert pasted["config"] == {"threshold": 88} and pasted["name"] == "Accuracy" and pasted["type"] == "validator_error_rate"
    assert page.evaluate("window.onepinEditor.undoDepth()") == depth + 1
    page.keyboard.press("Shift+L")
    page.wait_for_function("() => { const n = window.onepinEditor.definition().graph.nodes;"
                           " const p = n.find(x => x.id === 'error-rate-1').position;"
                           " return n.filter(x => x.position.x === p.x && x.position.y === p.y).length === 1; }")
    wait_saved(page)
    assert page.evaluate("window.onepinEditor.undoDepth()") == depth + 2

    # the script from a file (the two-step upload), its lines shown
    select_node(page, "script")
    page.fill("#cfg-text", "")
    script = tmp_path / "script.txt"
    script.write_text("Line from a file.\nSecond line from the file.\nThird.\n")
    page.set_input_files("#script-file", str(script))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#upload-status")).to_contain_text("Uploaded: 3 lines.")
    expect(page.locator("#upload-current")).to_contain_text("script.txt")
    expect(page.locator("#line-count")).to_have_text("3")
    expect(page.locator("#source-lines")).to_contain_text("Second line from the file.")
    wait_saved(page)
    assert a11y_problems(page) == []

    # history: restore the version the CLI created, as a new version
    page.get_by_role("button", name="History").click()
    db.session.expire_all()
    n = db.session.scalar(db.select(db.func.count()).select_from(WorkflowVersion).filter_by(workflow_id=wf_id))
    assert n >= 4
    expect(page.locator("#version-list li")).to_have_count(n)
    v.check("history")
    page.get_by_role("button", name="Restore version 1 as a new version").click()
    expect(page.locator("#versions-body")).to_contain_text(f"Version 1 restored as version {n + 1}.")
    expect(node(page, "error-rate-1")).to_have_count(0)
    expect(node(page, "check").locator(".node-title")).to_have_text("Word Accuracy")
    wait_saved(page)
    db.session.expire_all()
    restored = db.session.get(Workflow, wf_id).definition
    shown = page.evaluate("window.onepinEditor.definition()")
    assert [n["position"] for n in restored["graph"]["nodes"]] == [{"x": 0, "y": 0}] * 5   # as the CLI wrote it
    assert len({(n["position"]["x"], n["position"]["y"]) for n in shown["graph"]["nodes"]}) == 5   # shown laid out
    for n in shown["graph"]["nodes"]:
        n["position"] = {"x": 0, "y": 0}
    assert shown == restored
    assert edges(page) == sorted((e["source"], e["sourcePort"], e["target"], e["targetPort"])
                                 for e in _unplaced()["graph"]["edges"])
    v.assert_no_console_errors()
    ctx.close()
