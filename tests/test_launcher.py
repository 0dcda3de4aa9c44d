"""README command (1): `onepin-server run` on embedded defaults (SQLite file, private Redis,
gunicorn with gevent workers and RQ workers), then a clean stop."""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

BIN = str(Path(sys.executable).parent / "onepin-server")


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_on_embedded_defaults(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "STORAGE_URL", "SECRET_KEY")}
    env["ONEPIN_DATA_DIR"] = str(tmp_path)
    port = _port()
    proc = subprocess.Popen([BIN, "run", "--port", str(port), "--workers", "1"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(base + "/api/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise AssertionError("server did not come up")
        assert (tmp_path / "onepin.db").exists()          # SQLite file on embedded defaults
        assert (tmp_path / "secret_key").exists()
        with httpx.Client(base_url=base, follow_redirects=False) as c:
            html = c.get("/signup").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
            r = c.post("/signup", data={"csrf_token": token, "email": "first@example.com",
                                         "password": "a long password", "display_name": "First",
                                         "workspace_name": "First team"})
            assert r.status_code == 302, r.text[:300]
            assert c.get("/home").status_code == 200
            _run_a_workflow_through_the_api(c)
        deadline = time.time() + 30                                       # an RQ worker comes up too
        while time.time() < deadline and "rq.worker" not in "".join(out):
            time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            code = proc.wait()
        reader.join(5)
    text = "".join(out)
    assert code == 0, text[-2000:]                                            # a clean stop on Ctrl-C
    assert f"http://127.0.0.1:{port}" in text and "/signup" in text          # prints the URL and how to log in
    assert "private" in text and "redis" in text
    assert "Listening at" in text and "gevent" in text                        # gunicorn with gevent workers
    assert "Worker" in text and "started" in text                             # an RQ worker started


def _run_a_workflow_through_the_api(web: httpx.Client) -> None:
    """The embedded default runs real workflows: a key from the UI, a run on SQLite + the private Redis +
    the launcher's workers, and responses the official SDK parses (SQLite keeps floats in integer
    columns, PostgreSQL does not, so this is checked here too)."""
    from onepin.types import ApiCountedListResponseWorkflowRunListItem
    page = web.get("/settings/api-keys").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    created = web.post("/settings/api-keys", data={"csrf_token": token, "name": "launcher test", "scopes": "all"}).text
    key = re.search(r"(op_live_[A-Za-z0-9_\-]{40,})", created).group(1)
    api = httpx.Client(base_url=str(web.base_url), headers={"Authorization": f"Bearer {key}"}, timeout=30)
    defn = {"graph": {"nodes": [
        {"id": "s", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": "Hello.\nGoodbye now."}},
        {"id": "g", "type": "operator_generator", "position": {"x": 200, "y": 0}, "config": {"voice_map": {
            "en-us": [{"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"}]}}},
        {"id": "o", "type": "sink_preview", "position": {"x": 400, "y": 0}, "config": {"format": "wav"}}],
        "edges": [{"id": "e1", "source": "s", "sourcePort": "lines", "target": "g", "targetPort": "lines"},
                  {"id": "e2", "source": "g", "sourcePort": "lines", "target": "o", "targetPort": "lines"}]}}
    wf = api.post("/api/v1/workflows", json={"name": "Embedded", "definition": defn}).json()["data"]
    run = api.post(f"/api/v1/workflows/{wf['id']}/runs").json()["data"]
    deadline = time.time() + 60
    while time.time() < deadline:
        status = api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/status").json()["data"]["status"]
        if status in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.5)
    assert status == "completed"
    listing = api.get(f"/api/v1/workflows/{wf['id']}/runs").json()
    ApiCountedListResponseWorkflowRunListItem.model_validate(listing)
    assert isinstance(listing["data"][0]["delivered_audio_ms"], int) and listing["data"][0]["delivered_audio_ms"] > 0
    # the launcher builds the voice catalog in the background: every engine voice is listed soon after start
    deadline = time.time() + 90
    while time.time() < deadline:
        total = api.get("/api/v1/voices?limit=1").json()["pagination"]["total"]
        if total > 1000:
            break
        time.sleep(1)
    assert total > 1000, total
