"""Cloud voices imported into a workspace (import_provider_voices, called when the workspace adds a
provider's key): rows, reconciliation, previews and voiceprints rendered by the provider with the
workspace's own key (a local fake of the vendor's documented API)."""
from __future__ import annotations

import pytest
from rq import Queue

from app.extensions import db
from app.models import Voice
from app.services import provider_credentials, voice_catalog
from app.services.queue import redis_conn
from tests.conftest import assert_envelope, assert_error
from tests.fakes.elevenlabs import FakeElevenLabs

KEY = "el-test-key-9876"
RACHEL = {"provider_voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel", "gender": "female",
          "accent": "american", "category": "narration", "supported_languages": ["en-us", "en", "de"],
          "tags": ["Calm"], "description": "Calm narration voice."}
ADAM = {"provider_voice_id": "pNInz6obpgDQGcFmaJgB", "name": "Adam", "gender": "male", "supported_languages": ["en-us"]}


@pytest.fixture(scope="module")
def fake():
    with FakeElevenLabs(KEY) as server:
        yield server


def _import(ws, voices, **kw):
    out = voice_catalog.import_provider_voices(ws.id, "elevenlabs", voices, **kw)
    db.session.commit()
    return out


def test_import_creates_workspace_voices_and_queues_their_previews(catalog, ws_api):
    ws, api = ws_api
    rachel, adam = _import(ws, [RACHEL, ADAM])
    assert rachel.source == "provider_imported" and rachel.workspace_id == ws.id
    assert rachel.supported_languages == ["en-us", "de-de"]                 # bare families resolved, no duplicates
    caps = {c["model"]: c for c in rachel.model_capabilities}
    assert "eleven_multilingual_v2" in caps and caps["eleven_multilingual_v2"]["supported_languages"] == ["en-us", "de-de"]
    assert rachel.tags == ["calm"] and rachel.availability == "available"
    (job,) = Queue("default", connection=redis_conn()).get_jobs()
    assert job.func_name == "jobs.voices.render_workspace_voices" and job.args == (ws.id, [rachel.id, adam.id])
    # set-voice can assign it: the CLI reads these fields
    body = assert_envelope(api.get(f"/api/v1/voices/{rachel.id}"))["data"]
    assert body["provider_voice_id"] == RACHEL["provider_voice_id"] and body["is_active"] is True
    assert body["supported_models"] and body["model_capabilities"][0]["languages_known"] is True
    # importing again updates in place; a voice the provider no longer lists becomes unavailable
    (again,) = _import(ws, [{**RACHEL, "name": "Rachel (v2)"}], render=False)
    assert again.id == rachel.id and again.name == "Rachel (v2)"
    db.session.refresh(adam)
    assert (adam.availability, adam.unavailable_reason) == ("unavailable", "provider_voice_missing")
    assert voice_catalog.mark_provider_unavailable(ws.id, "elevenlabs") == 2
    db.session.commit()
    body = assert_envelope(api.get(f"/api/v1/voices/{rachel.id}"))["data"]
    assert (body["availability"], body["unavailable_reason"]) == ("unavailable", "provider_key_unavailable")


def test_previews_and_voiceprints_come_from_the_provider_with_the_workspace_key(catalog, ws_api, fake):
    ws, api = ws_api
    provider_credentials.save(ws.id, "tts", "elevenlabs", secret=KEY, base_url=fake.url,
                              options={"max_retries": 0})
    rachel, = _import(ws, [RACHEL], render=False)
    fake.reset()
    assert_error(api.get(f"/api/v1/voices/{rachel.id}/similar"), 503, "SERVICE_UNAVAILABLE")
    result = voice_catalog.render_workspace_voices(ws.id, [rachel.id])         # the job's body
    assert result == {"rendered": 1, "skipped": 0, "failed": 0}
    sent = [r for r in fake.requests if r["path"].endswith(RACHEL["provider_voice_id"])]
    assert len(sent) == 2                                                     # one preview, one voiceprint line
    assert all(r["headers"].get("xi-api-key") == KEY for r in sent)
    db.session.refresh(rachel)
    assert set(rachel.samples) == {"en-us"} and rachel.samples["en-us"]["key"].startswith(f"ws/{ws.id}/voices/")
    preview = assert_envelope(api.get(f"/api/v1/voices/{rachel.id}/preview?language=en-us"))["data"]
    assert preview["model"] == "eleven_multilingual_v2" and preview["content_type"] == "audio/mpeg"
    assert_error(api.get(f"/api/v1/voices/{rachel.id}/preview?language=de-de"), 404)   # not rendered: spend less
    # the fake vendor speaks with espeak-ng's en-us voice, and the voiceprint says so
    near = assert_envelope(api.get(f"/api/v1/voices/{rachel.id}/similar?limit=3&language=en-us"))["data"]
    assert near[0]["id"] == "espeak:en-us", [n["id"] for n in near]


def test_render_without_a_key_marks_the_voice_unavailable(catalog, ws_api):
    ws, _api = ws_api
    rachel, = _import(ws, [RACHEL], render=False)
    assert voice_catalog.render_workspace_voices(ws.id, [rachel.id]) == {"rendered": 0, "skipped": 1, "failed": 0}
    db.session.refresh(rachel)
    assert (rachel.availability, rachel.unavailable_reason) == ("unavailable", "provider_key_unavailable")
    assert rachel.voiceprint is None and rachel.samples == {}
    assert db.session.get(Voice, rachel.id).workspace_id == ws.id
