"""A local HTTP server base for the machine-translation fakes (LibreTranslate, DeepL, OpenAI-compatible).

Each fake speaks its vendor's documented request/response shape and translates deterministically:
sentences in KNOWN get a real translation (so espeak speaks real German/Spanish in the engine tests),
anything else becomes "[<lang>] <text>". Tests script failures ahead of time:

    fake.fail(429, times=2, retry_after=0)   # the next two requests get HTTP 429
    fake.stall(2.0)                          # the next request answers only after 2 s (client timeout)
    fake.ok().fail(503)                      # the next request succeeds, the one after gets HTTP 503

and read what was asked in `fake.requests` ([{path, headers, json}]).
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KNOWN = {
    "Good morning.": {"de": "Guten Morgen.", "es": "Buenos días.", "fr": "Bonjour."},
    "Thank you very much.": {"de": "Vielen Dank.", "es": "Muchas gracias.", "fr": "Merci beaucoup."},
    "The train leaves at noon.": {"de": "Der Zug fährt um zwölf Uhr ab.", "es": "El tren sale a mediodía.",
                                  "fr": "Le train part à midi."},
    "Where is the station?": {"de": "Wo ist der Bahnhof?", "es": "¿Dónde está la estación?",
                              "fr": "Où est la gare ?"},
}


def fake_translate(text: str, lang: str) -> str:
    """Deterministic: the known translation for the language family, else a marked copy."""
    fam = lang.lower().split("-", 1)[0]
    return KNOWN.get(text, {}).get(fam) or f"[{lang.lower()}] {text}"


class FakeServer:
    name = "fake"

    def __init__(self, api_key: str | None = "test-key"):
        self.api_key = api_key
        self.requests: list[dict] = []
        self._script: deque = deque()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    # scripting ------------------------------------------------------------------------------------
    def fail(self, status: int, times: int = 1, body: dict | None = None, retry_after: float | None = None):
        for _ in range(times):
            self._script.append(("status", status, body, retry_after))
        return self

    def ok(self, times: int = 1):
        """The next request(s) are answered normally (to place a failure after them)."""
        for _ in range(times):
            self._script.append(("ok", None, None, None))
        return self

    def stall(self, seconds: float, times: int = 1):
        for _ in range(times):
            self._script.append(("stall", seconds, None, None))
        return self

    def reset(self):
        self._script.clear()
        self.requests.clear()

    @property
    def translate_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"] != "/languages"]

    # lifecycle ------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):   # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw.decode("utf-8")) if raw else None
                except (UnicodeDecodeError, json.JSONDecodeError):
                    body = None
                headers = {k.lower(): v for k, v in self.headers.items()}
                with fake._lock:
                    fake.requests.append({"path": self.path, "headers": headers, "json": body})
                    step = fake._script.popleft() if fake._script else None
                if step and step[0] == "stall":
                    time.sleep(step[1])
                if step and step[0] != "status":
                    step = None
                if step and step[0] == "status":
                    _, status, err_body, retry_after = step
                    extra = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
                    return self._send(status, err_body or fake.error_body(status), extra)
                status, payload = fake.handle(self.path, headers, body)
                return self._send(status, payload)

            def _send(self, status: int, payload, extra: dict | None = None):
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in (extra or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass                       # the client gave up (timeout test)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, name=f"{self.name}-fake", daemon=True).start()
        return self

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # per vendor -----------------------------------------------------------------------------------
    def error_body(self, status: int) -> dict:
        return {"error": f"HTTP {status}"}

    def handle(self, path: str, headers: dict, body) -> tuple[int, dict]:  # pragma: no cover
        raise NotImplementedError
