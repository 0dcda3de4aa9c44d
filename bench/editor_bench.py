"""Editor benchmark: the canvas editor with a 40-node workflow, in Debian's chromium (Playwright).

    .venv/bin/python bench/editor_bench.py [--nodes 40] [--edits 20] [--database-url postgresql+psycopg://...]

Serves the app in-process (werkzeug, threaded; SQLite in a temporary folder unless --database-url),
creates a workspace with one workflow of N nodes (Script -> Normalizer -> Translator, then one branch
per language: Voice Generator -> four validators -> Export), and measures:

  * load to interactive: navigation start to the canvas being drawn and wired (the editor sets
    data-ready), and the editor's own start-up once its last module arrived (JSON parse, drawflow
    import, decorations);
  * per-edit save round trip: a node dragged with the mouse, until the autosave answered (request
    time, the server validating and writing a version) and end to end (including the 600 ms
    debounce that groups quick edits into one save);
  * a node selected until its settings panel is drawn; undo of one step.

Prints medians and 90th percentiles. Not a test: nothing passes or fails on time.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "correct horse battery"
LOCALES = ("en-us", "de-de", "fr-fr", "es-es", "ja-jp", "ko-kr", "pt-br", "zh-cn")
VALIDATORS = ("validator_error_rate", "validator_naturalness", "validator_noise", "validator_pronunciation")


def definition(n_nodes: int) -> dict:
    """Script -> Normalizer -> Translator, then branches of 6 nodes (generator, 4 validators, export)."""
    nodes = [{"id": "script", "type": "source_script", "config": {"text": "Hello there.\nSecond line.",
                                                                  "source_language": "en-us"}},
             {"id": "norm", "type": "operator_normalizer", "config": {}},
             {"id": "tr", "type": "operator_translator", "config": {"target_languages": []}}]
    edges = [("script", "lines", "norm"), ("norm", "lines", "tr")]
    branch = 0
    while len(nodes) + 6 <= n_nodes:
        loc = LOCALES[branch % len(LOCALES)]
        gen = f"gen{branch}"
        nodes.append({"id": gen, "type": "operator_generator", "config": {"voice_map": {loc: [
            {"voice_id": loc.split("-")[0] if loc != "en-us" else "en-us", "provider": "espeak", "model": "espeak-ng"}]}}})
        edges.append(("tr", "lines", gen))
        prev = gen
        for k, vtype in enumerate(VALIDATORS):
            vid = f"v{branch}_{k}"
            nodes.append({"id": vid, "type": vtype, "config": {}})
            edges.append((prev, "lines" if prev == gen else "pass", vid))
            edges.append((vid, "fail", gen))
            prev = vid
        nodes.append({"id": f"out{branch}", "type": "sink_preview", "config": {"format": "wav"}})
        edges.append((prev, "pass", f"out{branch}"))
        if branch:
            nodes[2]["config"]["target_languages"].append(loc)
        branch += 1
    while len(nodes) < n_nodes:
        nodes.append({"id": f"extra{len(nodes)}", "type": "operator_phoneme_injector", "config": {}})
    for n in nodes:
        n["position"] = {"x": 0, "y": 0}
    from app.workflows.layout import auto_layout
    return auto_layout({"graph": {"nodes": nodes, "edges": [
        {"id": f"e{i}", "source": s, "sourcePort": p, "target": t, "targetPort": "lines"}
        for i, (s, p, t) in enumerate(edges, 1)]}})


def serve(n_nodes: int, database_url: str | None):
    tmp = tempfile.mkdtemp(prefix="onepin-editor-bench-")
    os.environ["ONEPIN_DATA_DIR"] = tmp
    os.environ["ONEPIN_ARGON2_FAST"] = "1"
    os.environ.pop("REDIS_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from app import create_app
    from app.extensions import db
    from app.models import Membership
    from app.services import accounts
    from app.services import workflows as wf_svc
    from app.services import workspaces as ws_svc
    app = create_app({"LOGIN_RATE_LIMIT": "1000 per minute"})
    with app.app_context():
        upgrade()
        user = accounts.sign_up({"email": "bench@example.com", "password": PASSWORD, "display_name": "Bench"})
        ws = ws_svc.create(user, {"name": "Bench studio"}, enforce_plan=False)
        db.session.flush()
        m = db.session.scalar(db.select(Membership).filter_by(workspace_id=ws.id, user_id=user.id))
        wf = wf_svc.create(ws, m, user, {"name": f"{n_nodes} nodes", "definition": definition(n_nodes)})
        db.session.commit()
        wf_id, count = wf.id, len(wf.definition["graph"]["nodes"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}", wf_id, count


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=40)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--loads", type=int, default=5)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    server, base, wf_id, count = serve(args.nodes, args.database_url)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                    args=["--disable-gpu", "--disable-quic"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base + "/login")
        page.fill("#email", "bench@example.com")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/home")
        loads, boots = [], []
        for _ in range(args.loads + 1):
            page.goto(f"{base}/workflows/{wf_id}/edit")
            page.wait_for_selector('#drawflow[data-ready="true"]')
            ready = page.evaluate("window.onepinEditor.readyMs")
            boot = page.evaluate("window.onepinEditor.readyMs - Math.max(...performance.getEntriesByType('resource')"
                                 ".filter(e => e.name.includes('/static/js/editor/')).map(e => e.responseEnd))")
            loads.append(ready)
            boots.append(boot)
        loads, boots = loads[1:], boots[1:]            # the first load warms the server's caches
        drawn = page.locator(".drawflow-node").count()
        wires = page.locator("svg.connection").count()

        saves, e2e, panels, undos = [], [], [], []
        ids = [n["id"] for n in page.evaluate("window.onepinEditor.definition()")["graph"]["nodes"]]
        for i in range(args.edits):
            nid = ids[(i * 7) % len(ids)]
            el = page.locator(f'.drawflow-node[data-node-id="{nid}"] .node-title')
            el.scroll_into_view_if_needed()
            t0 = time.perf_counter()
            el.click()
            page.wait_for_selector(f'#node-form[data-node-id="{nid}"]')
            panels.append((time.perf_counter() - t0) * 1000)
            version = page.evaluate("window.onepinEditor.version()")
            box = el.bounding_box()
            page.mouse.move(box["x"] + 20, box["y"] + 5)
            page.mouse.down()
            page.mouse.move(box["x"] + 20 + 12 * ((i % 3) - 1), box["y"] + 5 + 9, steps=4)
            t0 = time.perf_counter()
            page.mouse.up()
            page.wait_for_function("v => window.onepinEditor.saved() && window.onepinEditor.version() > v", arg=version)
            e2e.append((time.perf_counter() - t0) * 1000)
            saves.append(page.evaluate("window.onepinEditor.lastSaveMs"))
        for _ in range(5):
            t0 = time.perf_counter()
            page.evaluate("window.onepinEditor.undo()")
            undos.append((time.perf_counter() - t0) * 1000)
        browser.close()
    server.shutdown()

    def row(label, values):
        print(f"{label:<46} {statistics.median(values):8.0f} ms  p90 {pct(values, 0.9):6.0f} ms  (n={len(values)})")
    print(f"Editor benchmark: {count} nodes ({drawn} drawn, {wires} connections), chromium, "
          f"{os.cpu_count()} CPUs, {'PostgreSQL' if args.database_url else 'SQLite'}")
    row("load to interactive (navigation -> ready)", loads)
    row("editor start-up (script loaded -> ready)", boots)
    row("select a node -> settings panel drawn", panels)
    row("save round trip (request -> answer)", saves)
    row("edit -> saved, end to end (600 ms debounce)", e2e)
    row(f"undo one step (redraw {drawn} nodes)", undos)


if __name__ == "__main__":
    main()
