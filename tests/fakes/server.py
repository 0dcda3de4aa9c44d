"""A small threaded HTTP server that plays one vendor's API, with scriptable failures.

    with FakeElevenLabs(api_key="sk-test") as fake:          # listening on 127.0.0.1:<free port>
        fake.fail(429, retry_after=1)                          # the next request gets a 429
        fake.fail(503, times=2)                                # then two 503s
        fake.slow(3.0)                                         # then one answer delayed by 3 s
        fake.always(500)                                       # every later request: 500 (until .always(None))
        fake.requests                                          # what was received (path, query, headers, json, at)

Successful requests get real speech: espeak-ng reads the request's text, and the audio is encoded as the
request asked (raw PCM, WAV, MP3 ...). A request with the wrong key gets the vendor's 401.
"""
from __future__ import annotations

import io
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np

_synth_lock = threading.Lock()


def speech(text: str, rate: int, voice: str = "en-us"):
    """Real speech for ``text`` at ``rate`` Hz (espeak-ng), as an Audio."""
    from app.speech import audio as audio_ops
    from app.speech.text import markup
    from app.speech.tts import get_engine
    plain = markup.plain(text)
    for tag in ("<<", ">>"):
        plain = plain.replace(tag, " ")
    with _synth_lock:
        clip = get_engine("espeak").synthesize(plain or "nothing", voice)
    return audio_ops.resample(clip, rate)


def encode(audio, container: str, encoding: str = "pcm_s16le") -> tuple[bytes, str]:
    """(body, content type) for raw PCM, WAV, MP3 or FLAC."""
    import soundfile as sf
    x = np.clip(audio.samples, -1.0, 1.0)
    if container == "raw":
        if encoding == "pcm_f32le":
            return x.astype("<f4").tobytes(), "application/octet-stream"
        return (x * 32767).astype("<i2").tobytes(), "application/octet-stream"
    buf = io.BytesIO()
    if container == "wav":
        sf.write(buf, x, audio.sample_rate, format="WAV", subtype="FLOAT" if encoding == "pcm_f32le" else "PCM_16")
        return buf.getvalue(), "audio/wav"
    if container == "mp3":
        sf.write(buf, x, audio.sample_rate, format="MP3", subtype="MPEG_LAYER_III")
        return buf.getvalue(), "audio/mpeg"
    if container == "flac":
        sf.write(buf, x, audio.sample_rate, format="FLAC", subtype="PCM_16")
        return buf.getvalue(), "audio/flac"
    raise ValueError(container)


class Reply:
    def __init__(self, status: int, body: bytes | dict | str = b"", headers: dict | None = None,
                 content_type: str | None = None):
        self.status, self.headers = status, dict(headers or {})
        if isinstance(body, dict):
            body, content_type = json.dumps(body).encode(), content_type or "application/json"
        elif isinstance(body, str):
            body, content_type = body.encode(), content_type or "text/plain"
        self.body, self.content_type = body, content_type or "application/octet-stream"


class FakeVendor:
    """Base class: subclasses implement ``handle(req) -> Reply`` and ``error_reply(status, retry_after)``."""

    name = "fake"

    def __init__(self, api_key: str = "test-key"):
        self.api_key = api_key
        self.requests: list[dict] = []
        self._script: deque = deque()
        self._always = None
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                fake._serve(self)

            def do_GET(self):  # noqa: N802
                fake._serve(self)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name=f"fake-{self.name}")

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- scripting -------------------------------------------------------------------------------
    def fail(self, status: int, *, times: int = 1, retry_after: float | str | None = None, body=None):
        with self._lock:
            for _ in range(times):
                self._script.append(("fail", status, retry_after, body))
        return self

    def slow(self, seconds: float, *, times: int = 1):
        with self._lock:
            for _ in range(times):
                self._script.append(("slow", seconds, None, None))
        return self

    def always(self, status: int | None, *, retry_after=None, body=None):
        """Every request that the script does not cover gets this failure (None: succeed again)."""
        self._always = None if status is None else ("fail", status, retry_after, body)
        return self

    def reset(self):
        with self._lock:
            self._script.clear()
            self._always = None
            self.requests.clear()
        return self

    def calls(self, path_part: str = "") -> list[dict]:
        return [r for r in self.requests if path_part in r["path"]]

    # -- serving ---------------------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler):
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        req = {"method": h.command, "path": parts.path, "query": {k: v[-1] for k, v in parse_qs(parts.query).items()},
               "headers": {k.lower(): v for k, v in h.headers.items()}, "json": body, "at": time.monotonic()}
        with self._lock:
            self.requests.append(req)
            step = self._script.popleft() if self._script else self._always
        delay = 0.0
        if step and step[0] == "slow":
            delay, step = step[1], None
        if step:
            _, status, retry_after, custom = step
            reply = self.error_reply(status, retry_after) if custom is None else Reply(status, custom)
            if retry_after is not None:
                reply.headers["Retry-After"] = str(retry_after)
        else:
            try:
                reply = self.handle(req)
            except Exception as exc:  # noqa: BLE001 - a fake bug should show up as a 500 in the test
                reply = Reply(500, {"error": f"fake crashed: {exc!r}"})
        if delay:
            time.sleep(delay)
        try:
            h.send_response(reply.status)
            h.send_header("Content-Type", reply.content_type)
            h.send_header("Content-Length", str(len(reply.body)))
            for k, v in reply.headers.items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass        # the client gave up (timeout): nothing to answer

    def handle(self, req: dict) -> Reply:  # pragma: no cover - interface
        raise NotImplementedError

    def error_reply(self, status: int, retry_after=None) -> Reply:  # pragma: no cover - interface
        raise NotImplementedError
