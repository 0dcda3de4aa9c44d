"""Test helpers for the server-sent event streams: the app served on a real socket (werkzeug, threaded,
so a stream and other requests run side by side) and a browser-less SSE client."""
from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
from werkzeug.serving import make_server


@pytest.fixture
def live(app):
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def sse_events(url: str, headers: dict, timeout: float = 120) -> Iterator[dict]:
    """The stream's events as {id, event, data (raw text)}, until the server ends it (keep-alives skipped)."""
    current: dict = {}
    with httpx.stream("GET", url, headers=headers, timeout=timeout) as resp:
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
        for line in resp.iter_lines():
            if line == "":
                if "id" in current:
                    yield current
                current = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                current[key] = current.get(key, "") + value if key == "data" else value
