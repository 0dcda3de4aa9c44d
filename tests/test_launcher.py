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
