"""Cloud TTS in real runs (one real RQ worker process for the module): the workspace's own key, provider
errors pausing the run with the contract's reason, and a resume after the fix that completes the run.
The vendors are local fakes (tests/fakes/) that speak their documented API and answer with real speech."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import LedgerEntry, Run, Take
from app.services import provider_credentials
from app.speech.audio import decode
from app.storage import get_store
from tests.conftest import assert_envelope, assert_error
from tests.engine.conftest import Workers, make_workflow, start, wait_for
from tests.fakes.cartesia import FakeCartesia
from tests.fakes.elevenlabs import FakeElevenLabs
from tests.fakes.openai_tts import FakeOpenAI

GOOD_KEY = "good-key-1234"
FAST = {"max_retries": 1, "backoff": 0.05, "read_timeout": 1.0, "connect_timeout": 2.0}
LINES = "Welcome to the cloud voice test.\nThe second line is here.\nAnd this is the last one."
VOICES = {"elevenlabs": ("JBFqnCBsd6RMkjVDRZzb", "eleven_multilingual_v2"), "openai": ("alloy", "tts-1"),
          "cartesia": ("694f9389-aac1-45b6-b726-9d9369183238", "sonic-2")}
RATES = {"elevenlabs": 22050, "openai": 24000, "cartesia": 24000}


@pytest.fixture(scope="module")
def fakes():
    servers = {"elevenlabs": FakeElevenLabs(GOOD_KEY), "openai": FakeOpenAI(GOOD_KEY),
               "cartesia": FakeCartesia(GOOD_KEY)}
    for s in servers.values():
        s.start()
    yield servers
    for s in servers.values():
        s.stop()


@pytest.fixture(scope="module")
def worker(app, tmp_path_factory):
    """One long-running worker for the module (starting one costs seconds); it outlives the per-test
    cleanup of the database and Redis."""
    w = Workers().start(1, tmp_path_factory.mktemp("cloud-worker"))
    yield w
    w.stop()


@pytest.fixture
def vendors(fakes, worker):
    for f in fakes.values():
        f.reset()
    return fakes


def cloud_definition(provider: str, text: str = LINES) -> dict:
    voice, model = VOICES[provider]
    return {"graph": {"nodes": [
        {"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": text}},
        {"id": "gen", "type": "operator_generator", "position": {"x": 250, "y": 0},
         "config": {"voice_map": {"en-us": [{"voice_id": voice, "provider": provider, "model": model}]}}},
        {"id": "out", "type": "sink_preview", "position": {"x": 500, "y": 0}, "config": {"format": "wav"}}],
        "edges": [{"id": "e1", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
                  {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "out", "targetPort": "lines"}]}}


def set_key(workspace, provider, fake, secret=GOOD_KEY, **options):
    provider_credentials.save(workspace.id, "tts", provider, secret=secret, base_url=fake.url,
                              options={**FAST, **options})
    db.session.commit()


def run_row(run_id) -> Run:
    db.session.rollback()
    return db.session.get(Run, run_id)


def takes(run_id, node_id="gen"):
    db.session.rollback()
    return db.session.scalars(select(Take).where(Take.run_id == run_id, Take.node_id == node_id)).all()


def settle(run_id) -> Run:
    """Waits until the run is parked or finished."""
    return wait_for(run_id, ("paused", "completed", "failed", "cancelled"), timeout=120)


def assert_paused(owner_api, wf, run, reason: str, says: str):
    status = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/status"))["data"]
    assert status["status"] == "paused" and status["pause_reason"] == reason, status
    assert says in status["pause_error"], status["pause_error"]
    gen = takes(run["id"])
    assert gen and all(t.status == "pending" for t in gen), [(t.status, t.error) for t in gen]   # released ...
    assert all(t.credits_milli == 0 and t.lease_owner is None and t.job_id is None for t in gen)  # ... unbilled
    assert not takes(run["id"], "out")                                                       # nothing delivered
    settled = db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.run_id == run["id"], LedgerEntry.kind == "settle"))
    assert settled == 0
    steps = assert_envelope(owner_api.get(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/steps"))["data"]
    gen_step = next(s for s in steps if s["node_id"] == "gen")
    assert gen_step["status"] == "running" and gen_step["pause_reason"] == reason


def resume_and_finish(owner_api, wf, run, provider):
    resumed = assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/resume"))["data"]
    assert resumed["status"] == "running" and resumed.get("pause_reason") is None
    settle(run["id"])
    row = run_row(run["id"])
    assert row.status == "completed", (row.status, row.error, row.pause_reason, row.pause_error)
    out = sorted(takes(run["id"], "out"), key=lambda t: t.line_index)
    assert [t.line_index for t in out] == [0, 1, 2]
    for t in out:
        audio = decode(get_store().get_bytes(t.audio_key))
        assert audio.sample_rate == RATES[provider] and audio.duration_ms > 700
    gen = takes(run["id"])
    assert all(t.status == "done" and t.attempt == 1 and t.synth_calls == 1 for t in gen)  # no duplicate work
    assert row.credits >= 1 and row.token_cost == sum(len(x) for x in LINES.splitlines())
    return row


def test_launch_is_refused_without_the_workspace_key(owner_api, workspace, vendors):
    wf = make_workflow(owner_api, cloud_definition("elevenlabs"))
    body = assert_error(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"), 422, "VALIDATION_ERROR")
    assert "ElevenLabs" in body["error"]["message"] and "Provider keys" in body["error"]["message"]
    assert body["error"]["details"][0]["field"] == "definition.graph.nodes[1].config.voice_map.en-us[0].provider"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Run)) == 0
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "reserve")) == 0
    set_key(workspace, "elevenlabs", vendors["elevenlabs"])
    run = start(owner_api, wf["id"])                                    # with a key the same launch is accepted
    assert run["status"] == "pending"
    assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/cancel"))


def test_a_cloud_run_synthesizes_with_the_workspace_key(owner_api, workspace, vendors):
    fake = vendors["cartesia"]
    set_key(workspace, "cartesia", fake)
    wf = make_workflow(owner_api, cloud_definition("cartesia"))
    run = start(owner_api, wf["id"])
    settle(run["id"])
    row = run_row(run["id"])
    assert row.status == "completed", (row.error, row.pause_error)
    sent = fake.calls("/tts/bytes")
    assert len(sent) == 3 and {r["headers"]["x-api-key"] for r in sent} == {GOOD_KEY}
    assert sorted(r["json"]["transcript"] for r in sent) == sorted(LINES.splitlines())
    assert all(r["json"]["output_format"] == {"container": "raw", "encoding": "pcm_s16le", "sample_rate": 24000}
               for r in sent)


def test_401_pauses_for_billing_and_a_fixed_key_resumes(owner_api, workspace, vendors):
    fake = vendors["elevenlabs"]
    set_key(workspace, "elevenlabs", fake, secret="revoked-key-0000")
    wf = make_workflow(owner_api, cloud_definition("elevenlabs"))
    run = start(owner_api, wf["id"])
    settle(run["id"])
    assert_paused(owner_api, wf, run, "provider_billing", "ElevenLabs rejected the workspace's API key (HTTP 401")
    assert len(fake.requests) == 1                       # a 401 is not retried, and the rest of the batch waits
    set_key(workspace, "elevenlabs", fake)               # the admin enters the right key
    resume_and_finish(owner_api, wf, run, "elevenlabs")
    assert fake.requests[-1]["headers"]["xi-api-key"] == GOOD_KEY
    assert fake.requests[-1]["query"] == {"output_format": "pcm_22050"}


def test_429_honours_retry_after_then_pauses_for_the_rate_limit(owner_api, workspace, vendors):
    fake = vendors["openai"]
    set_key(workspace, "openai", fake)
    fake.always(429, retry_after=1)
    wf = make_workflow(owner_api, cloud_definition("openai"))
    run = start(owner_api, wf["id"])
    settle(run["id"])
    assert_paused(owner_api, wf, run, "provider_rate_limited", "OpenAI is rate limiting this workspace (HTTP 429")
    first, second = fake.requests[:2]
    assert len(fake.requests) == 2 and second["at"] - first["at"] >= 1.0     # waited for Retry-After once
    fake.always(None)
    resume_and_finish(owner_api, wf, run, "openai")


def test_5xx_pauses_for_an_outage_and_resume_completes(owner_api, workspace, vendors):
    fake = vendors["cartesia"]
    set_key(workspace, "cartesia", fake)
    fake.always(503)
    wf = make_workflow(owner_api, cloud_definition("cartesia"))
    run = start(owner_api, wf["id"])
    settle(run["id"])
    assert_paused(owner_api, wf, run, "provider_outage", "Cartesia is failing (HTTP 503")
    assert len(fake.requests) == 2                       # the first try and one retry (max_retries=1)
    fake.always(None)
    resume_and_finish(owner_api, wf, run, "cartesia")


def test_a_timeout_pauses_for_an_outage_and_resume_completes(owner_api, workspace, vendors):
    fake = vendors["elevenlabs"]
    set_key(workspace, "elevenlabs", fake, read_timeout=0.5)
    fake.slow(3.0, times=2)
    wf = make_workflow(owner_api, cloud_definition("elevenlabs"))
    run = start(owner_api, wf["id"])
    settle(run["id"])
    assert_paused(owner_api, wf, run, "provider_outage", "did not answer in time (read timeout after 0.5 s)")
    resume_and_finish(owner_api, wf, run, "elevenlabs")


def test_a_bad_request_fails_the_take_without_pausing(owner_api, workspace, vendors):
    fake = vendors["elevenlabs"]
    set_key(workspace, "elevenlabs", fake)
    definition = cloud_definition("elevenlabs", "Just one line for a voice that does not exist.")
    definition["graph"]["nodes"][1]["config"]["voice_map"]["en-us"][0]["voice_id"] = "missing-voice"
    wf = make_workflow(owner_api, definition)
    run = start(owner_api, wf["id"])
    settle(run["id"])
    row = run_row(run["id"])
    assert row.status == "failed" and row.pause_reason is None
    assert "ElevenLabs refused the request (HTTP 404, voice_not_found)" in row.error
    [take] = takes(run["id"])
    assert take.status == "failed" and take.credits_milli == 0
