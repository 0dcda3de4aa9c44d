"""Live progress: a browser-less SSE client and a Playwright page both see every event of a run in
order; a reconnect with Last-Event-ID misses nothing and repeats nothing."""
import json
import threading

import pytest

from tests.conftest import assert_envelope
from tests.engine.conftest import espeak_definition, run_burst
from tests.sse_client import live, sse_events  # noqa: F401 - live is a fixture


def read_events(url: str, headers: dict, timeout: float = 120) -> list[dict]:
    return list(sse_events(url, headers, timeout))


def test_sse_client_sees_every_event_in_order_and_resumes_by_last_event_id(live, owner_api, owner_key):
    text = "\n".join(f"Line number {i} of the stream test." for i in range(6))
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={"name": "SSE", "definition": espeak_definition(text)}), 201)["data"]
    run = assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"), 202)["data"]
    url = f"{live}/api/v1/workflows/{wf['id']}/runs/{run['id']}/events"
    auth = {"Authorization": f"Bearer {owner_key}"}
    got: list[dict] = []
    reader = threading.Thread(target=lambda: got.extend(read_events(url, auth)))
    reader.start()
    assert run_burst().returncode == 0
    reader.join(120)
    ids = [e["id"] for e in got]
    assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-")))) and len(set(ids)) == len(ids)
    kinds = [e["event"] for e in got]
    statuses = [json.loads(e["data"])["status"] for e in got if e["event"] == "run.status"]
    assert statuses[0] == "pending" and "running" in statuses and statuses[-1] == "completed"
    delivered = [json.loads(e["data"]) for e in got if e["event"] == "card" and json.loads(e["data"])["status"] == "delivered"]
    assert sorted(d["line_index"] for d in delivered) == list(range(6))
    assert kinds[-1] == "run.status"
    # reconnect from the middle: exactly the rest, nothing repeated
    middle = got[len(got) // 2]["id"]
    rest = read_events(url, {**auth, "Last-Event-ID": middle})
    assert [e["id"] for e in rest] == ids[ids.index(middle) + 1:]


@pytest.mark.e2e
def test_run_page_shows_live_events_in_order(live, page, owner_api, owner):
    import re

    from tests.factories import PASSWORD
    text = "\n".join(f"Browser line {i}." for i in range(4))
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={"name": "Page", "definition": espeak_definition(text)}), 201)["data"]
    run = assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"), 202)["data"]
    page.goto(f"{live}/login")
    page.fill("#email", owner.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live}/runs/{run['id']}")
    worker = threading.Thread(target=run_burst)
    worker.start()
    page.wait_for_selector("#run-status[data-status=completed]", timeout=120_000)
    worker.join(120)
    items = page.locator("#run-events li").evaluate_all("els => els.map(e => [e.dataset.eventId, e.dataset.kind, e.textContent])")
    ids = [i[0] for i in items]
    assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-")))) and len(set(ids)) == len(ids)
    delivered = [t for _id, kind, t in items if kind == "card" and t.endswith("delivered")]
    assert len(delivered) == 4
    assert re.search(r"completed", items[-1][2])
    page.screenshot(path="tests/e2e/artifacts/run-live-progress.png", full_page=True)
