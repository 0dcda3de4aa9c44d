"""A small JSON-over-HTTP client for the MT adapters (stdlib only): per-attempt timeouts, bounded
retries on 429 / 5xx / timeouts / refused connections, Retry-After honoured up to a cap."""
from __future__ import annotations

import email.utils
import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from app.speech.translate.base import OUTAGE, RATE_LIMITED, TIMEOUT, HttpPolicy, MTError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "onepin-server-mt/1"


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None


def _retry_after(headers: dict) -> float | None:
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        when = email.utils.parsedate_to_datetime(raw) if raw else None
        return max(0.0, when.timestamp() - time.time()) if when else None


def _once(url: str, data: bytes, headers: dict, timeout: float) -> Response:
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json", "Accept": "application/json",
                                          "User-Agent": USER_AGENT, **headers})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:   # noqa: S310 - http(s) URLs only
            return Response(resp.status, resp.read(), {k.lower(): v for k, v in resp.headers.items()})
    except urllib.error.HTTPError as exc:
        body = exc.read() if exc.fp is not None else b""
        return Response(exc.code, body, {k.lower(): v for k, v in (exc.headers or {}).items()})


def post_json(provider: str, url: str, payload: dict, headers: dict, policy: HttpPolicy,
              sleep=time.sleep) -> Response:
    """POSTs `payload`; returns the first non-retryable response (2xx or a 4xx the caller maps).
    Raises MTError (rate_limited / outage / timeout) when every attempt failed transiently."""
    if not url.startswith(("http://", "https://")):
        raise MTError(provider, "bad_request", f"not an http(s) URL: {url!r}")
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    last: MTError | None = None
    for attempt in range(max(1, policy.attempts)):
        wait = policy.backoff * (2 ** attempt)
        try:
            resp = _once(url, data, headers, policy.timeout)
        except (TimeoutError, socket.timeout):
            last = MTError(provider, TIMEOUT, f"no answer within {policy.timeout:g} s")
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                last = MTError(provider, TIMEOUT, f"no answer within {policy.timeout:g} s")
            else:
                last = MTError(provider, OUTAGE, f"cannot connect: {exc.reason}")
        except (ConnectionError, OSError) as exc:
            last = MTError(provider, OUTAGE, f"connection failed: {exc}")
        else:
            if resp.status not in RETRY_STATUSES:
                return resp
            after = _retry_after(resp.headers)
            kind = RATE_LIMITED if resp.status == 429 else OUTAGE
            last = MTError(provider, kind, f"HTTP {resp.status}{_reason(resp)}", status=resp.status,
                           retry_after=after)
            if after is not None:
                wait = after
            if resp.status == 429 and _is_quota(resp):
                return resp              # out of credit: waiting will not help, the caller maps it
        if attempt + 1 < policy.attempts:
            sleep(min(wait, policy.max_wait))
    assert last is not None
    if policy.attempts > 1:
        last.message += f" (after {policy.attempts} attempts)"
        last.args = (f"{provider}: {last.message}",)
    raise last


def _reason(resp: Response) -> str:
    msg = error_message(resp)
    return f": {msg}" if msg else ""


def _is_quota(resp: Response) -> bool:
    body = resp.json()
    err = body.get("error") if isinstance(body, dict) else None
    return isinstance(err, dict) and err.get("code") == "insufficient_quota"


def error_message(resp: Response) -> str:
    """The vendor's error text: {"error": "..."} (LibreTranslate), {"message": "..."} (DeepL),
    {"error": {"message": "..."}} (OpenAI); else the start of the body."""
    body = resp.json()
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return err["message"][:300]
        for key in ("error", "message", "detail"):
            if isinstance(body.get(key), str):
                return body[key][:300]
    return resp.body[:200].decode("utf-8", "replace").strip()
