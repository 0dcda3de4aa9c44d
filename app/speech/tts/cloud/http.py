"""One request (a synthesis POST, a voice-list GET) with the cloud adapters' network policy: timeouts,
bounded retries with exponential backoff that honours Retry-After, and HTTP failures turned into the
typed errors of ``errors``.

One ``httpx.Client`` per process (connection pooling; httpx clients are thread-safe). Only 429, 408,
5xx, timeouts and connection errors are retried; everything else is answered at once.
"""
from __future__ import annotations

import email.utils
import logging
import os
import threading
import time
from dataclasses import dataclass, fields, replace

import httpx

from .errors import (ProviderAuthError, ProviderBilling, ProviderError, ProviderOutage, ProviderRateLimited,
                     ProviderRequestError)

log = logging.getLogger("onepin.speech.cloud")

# Vendor error codes that mean "the account is out of credit or quota" whatever the HTTP status.
QUOTA_CODES = {"quota_exceeded", "insufficient_quota", "payment_required", "insufficient_credits",
               "billing_hard_limit_reached", "credits_exhausted"}


@dataclass(frozen=True)
class HttpPolicy:
    connect_timeout: float = 5.0      # seconds to open the connection
    read_timeout: float = 60.0        # seconds without a byte from the server
    max_retries: int = 3              # retries after the first attempt (429, 408, 5xx, timeouts)
    backoff: float = 0.5              # first wait; doubles with every retry ...
    max_backoff: float = 8.0          # ... up to this
    max_retry_after: float = 30.0     # a longer Retry-After is not waited for: the error is raised at once

    @classmethod
    def from_options(cls, options: dict | None = None, env=None) -> "HttpPolicy":
        """Defaults, then ONEPIN_TTS_<FIELD> environment variables, then per-credential options."""
        env = os.environ if env is None else env
        policy = cls()
        for source, key_of in ((env, lambda n: f"ONEPIN_TTS_{n.upper()}"), (options or {}, lambda n: n)):
            changes = {}
            for f in fields(cls):
                raw = source.get(key_of(f.name))
                if raw in (None, ""):
                    continue
                try:
                    value = int(raw) if f.type in (int, "int") else float(raw)
                except (TypeError, ValueError):
                    continue
                if value >= 0:
                    changes[f.name] = value
            policy = replace(policy, **changes)
        return policy


_client: httpx.Client | None = None
_client_lock = threading.Lock()


def client() -> httpx.Client:
    global _client
    with _client_lock:
        if _client is None:
            _client = httpx.Client(follow_redirects=False,
                                   limits=httpx.Limits(max_connections=20, max_keepalive_connections=10))
        return _client


def retry_after(headers) -> float | None:
    """Seconds to wait from Retry-After (seconds or an HTTP date) or retry-after-ms; None if absent."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def classify(provider: str, display: str, status: int, code: str | None, message: str,
             wait: float | None) -> ProviderError:
    """An HTTP error status (with the vendor's error code and message) as a typed error."""
    detail = f" (HTTP {status}{', ' + code if code else ''})"
    said = f": {message}" if message else ""
    quota = (code or "").lower() in QUOTA_CODES
    if status == 402 or quota:
        return ProviderBilling(provider, f"{display} refused the request for billing or quota reasons{detail}{said}",
                               status=status, code=code)
    if status in (401, 403):
        return ProviderAuthError(provider, f"{display} rejected the workspace's API key{detail}{said}",
                                 status=status, code=code)
    if status == 429:
        return ProviderRateLimited(provider, f"{display} is rate limiting this workspace{detail}{said}",
                                   status=status, code=code, retry_after=wait)
    if status == 408 or status >= 500:
        return ProviderOutage(provider, f"{display} is failing{detail}{said}", status=status, code=code,
                              retry_after=wait)
    return ProviderRequestError(provider, f"{display} refused the request{detail}{said}", status=status, code=code)


def post(provider: str, display: str, url: str, *, headers: dict, json: dict, params: dict | None = None,
         policy: HttpPolicy, parse_error, sleep=time.sleep) -> httpx.Response:
    """POSTs until a 2xx, a non-retryable error, or the retries run out (then the last error is raised).

    ``parse_error(response) -> (code, message)`` reads the vendor's error body.
    """
    return send("POST", provider, display, url, headers=headers, json=json, params=params, policy=policy,
                parse_error=parse_error, sleep=sleep)


def get(provider: str, display: str, url: str, *, headers: dict, params: dict | None = None,
        policy: HttpPolicy, parse_error, sleep=time.sleep) -> httpx.Response:
    """GETs with the same policy as ``post`` (a read such as a voice list)."""
    return send("GET", provider, display, url, headers=headers, json=None, params=params, policy=policy,
                parse_error=parse_error, sleep=sleep)


def send(method: str, provider: str, display: str, url: str, *, headers: dict, json: dict | None,
         params: dict | None, policy: HttpPolicy, parse_error, sleep=time.sleep) -> httpx.Response:
    timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
    attempt = 0
    while True:
        try:
            resp = client().request(method, url, headers=headers, json=json, params=params, timeout=timeout)
        except httpx.TimeoutException as exc:
            kind = "connect" if isinstance(exc, httpx.ConnectTimeout) else "read"
            limit = policy.connect_timeout if kind == "connect" else policy.read_timeout
            error: ProviderError = ProviderOutage(provider, f"{display} did not answer in time ({kind} timeout "
                                                            f"after {limit:g} s)")
        except httpx.TransportError as exc:
            error = ProviderOutage(provider, f"{display} could not be reached: {type(exc).__name__}")
        else:
            if resp.status_code < 300:
                return resp
            try:
                code, message = parse_error(resp)
            except Exception:  # noqa: BLE001 - a garbled error body must not hide the status
                code, message = None, ""
            error = classify(provider, display, resp.status_code, code, (message or "")[:300],
                             retry_after(resp.headers))
        if not isinstance(error, (ProviderRateLimited, ProviderOutage)) or attempt >= policy.max_retries:
            if attempt:
                error.message += f" [after {attempt + 1} attempts]"
            raise error
        wait = min(policy.max_backoff, policy.backoff * (2 ** attempt))
        if error.retry_after is not None:
            if error.retry_after > policy.max_retry_after:
                error.message += f" [Retry-After {error.retry_after:g} s is longer than we wait]"
                raise error
            wait = error.retry_after
        log.info("%s: %s; retry %d/%d in %.2f s", provider, error.message, attempt + 1, policy.max_retries, wait)
        sleep(wait)
        attempt += 1


def json_error(resp: httpx.Response) -> dict | list | str | None:
    try:
        return resp.json()
    except ValueError:
        return resp.text.strip() or None
