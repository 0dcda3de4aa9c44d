"""The providers.* catalog as a workspace sees it: a cloud provider appears once the workspace has its own
key for it; a workflow may use a cloud voice before that (the launch refuses it, see tests/engine)."""
from __future__ import annotations

from app.extensions import db
from app.services import provider_credentials
from tests.conftest import assert_envelope, assert_error
from tests.factories import make_key, make_workspace


def _providers(api):
    return {p["provider"] for p in assert_envelope(api.get("/api/v1/providers"))["data"]}


def test_cloud_providers_are_listed_only_with_a_key(api, owner_api, workspace, owner):
    assert _providers(owner_api) >= {"espeak", "piper"}
    assert not _providers(owner_api) & {"elevenlabs", "openai", "cartesia"}
    body = assert_error(owner_api.get("/api/v1/providers/elevenlabs"), 404, "NOT_FOUND")
    assert "ElevenLabs is not configured for this workspace" in body["error"]["message"]
    assert_error(owner_api.get("/api/v1/providers/elevenlabs/models"), 404)
    assert_error(owner_api.get("/api/v1/providers/elevenlabs/models/eleven_multilingual_v2"), 404)
    v1 = assert_envelope(owner_api.get("/api/v1/nodes/operator_generator"))["data"]
    assert "elevenlabs" not in v1["options"]["models_by_provider"]["value"]

    provider_credentials.save(workspace.id, "tts", "elevenlabs", secret="xi-key-1234")
    db.session.commit()
    assert _providers(owner_api) & {"elevenlabs", "openai", "cartesia"} == {"elevenlabs"}
    one = assert_envelope(owner_api.get("/api/v1/providers/elevenlabs"))["data"]
    assert one["display_name"] == "ElevenLabs" and one["kind"] == "tts" and one["model_count"] == 6
    assert "xi-key" not in str(one) and "base_url" not in one                   # never credentials or URLs
    models = {m["model"]: m for m in assert_envelope(owner_api.get("/api/v1/providers/elevenlabs/models"))["data"]}
    m = models["eleven_multilingual_v2"]
    assert set(m["supported_languages"]) >= {"en-us", "de-de", "ja-jp"} and m["content_type"] == "audio/wav"
    assert {"speed", "stability", "similarity_boost", "style"} <= set(m["controls"])
    assert models["eleven_flash_v2"]["supported_languages"] == ["en-gb", "en-us"]
    v2 = assert_envelope(owner_api.get("/api/v2/nodes/operator_generator"))["data"]
    assert "elevenlabs" in [o["value"] for o in v2["options"]["voices"]["properties"]["provider"]["options"]]

    other = make_workspace(owner, name="Other")                                  # keys are per workspace
    assert "elevenlabs" not in _providers(api.as_(make_key(other, owner), other.id))


def test_a_workflow_may_use_a_cloud_voice_before_the_key_exists(owner_api):
    definition = {"graph": {"nodes": [
        {"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": "Hi."}},
        {"id": "gen", "type": "operator_generator", "position": {"x": 1, "y": 0}, "config": {"voice_map": {
            "en-us": [{"voice_id": "alloy", "provider": "openai", "model": "gpt-4o-mini-tts"}]}}},
        {"id": "out", "type": "sink_preview", "position": {"x": 2, "y": 0}, "config": {}}],
        "edges": [{"id": "a", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
                  {"id": "b", "source": "gen", "sourcePort": "lines", "target": "out", "targetPort": "lines"}]}}
    assert_envelope(owner_api.post("/api/v1/workflows", json={"name": "Cloud", "definition": definition}), 201)
    definition["graph"]["nodes"][1]["config"]["voice_map"]["en-us"][0]["model"] = "tts-9"
    body = assert_error(owner_api.post("/api/v1/workflows", json={"name": "Bad", "definition": definition}), 422)
    assert "voice_map" in str(body["error"]["details"])
