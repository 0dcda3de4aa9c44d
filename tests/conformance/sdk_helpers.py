"""Shared helpers of the SDK conformance modules (test_sdk_*.py): the official onepin 0.16.1 client pointed at
the live server, and how a refused call must reach its caller."""
from __future__ import annotations

import time

import pytest

NO_RETRY = {"max_retries": 0}          # for 409s: the SDK would otherwise send the same request twice more
TERMINAL = {"completed", "failed", "cancelled"}


def sdk(live_server, key: str):
    from onepin import OnepinClient
    return OnepinClient(api_key=key, base_url=live_server.url, timeout=30)


def refused(call, status: int, code: str) -> dict:
    """`call()` must raise the SDK's ApiError with `status` and the contract's error envelope carrying `code`
    (and the server's request id); returns the envelope's `error` object."""
    from onepin.core.api_error import ApiError
    with pytest.raises(ApiError) as exc:
        call()
    body = exc.value.body
    if hasattr(body, "model_dump"):      # typed errors (e.g. a declared 400) parse the envelope into a model
        body = body.model_dump(mode="json")
    assert exc.value.status_code == status, (exc.value.status_code, body)
    assert isinstance(body, dict) and body["error"]["code"] == code, body
    assert body["error"]["message"] and body["meta"]["request_id"].startswith("req_"), body
    return body["error"]


def wait_run(client, wf_id: str, run_id: str, until=TERMINAL, timeout: float = 90):
    """Poll workflows.runs.status (as `workflows run --watch` does) until the status is in `until`."""
    deadline = time.monotonic() + timeout
    while True:
        st = client.workflows.runs.status(wf_id, run_id).data
        if st.status in until:
            return st
        assert time.monotonic() < deadline, f"run {run_id} still {st.status} after {timeout} s"
        time.sleep(0.3)
