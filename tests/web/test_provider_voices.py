"""Settings → Provider keys imports the provider's voices: an admin saves an ElevenLabs key (pointing at
the local fake of its documented API) and the workspace's voice catalog (GET /api/v1/voices) has the
account's voices; other workspaces do not; removing the key makes them unavailable; a refused key or an
outage leaves the key saved, says why, and imports nothing."""
from __future__ import annotations

import pytest
from rq import Queue

from app.extensions import db
from app.models import Voice
from app.services import provider_credentials
from app.services.queue import redis_conn
from tests.conftest import assert_envelope, assert_error
from tests.factories import make_key, make_user, make_workspace
from tests.fakes.elevenlabs import VOICES, FakeElevenLabs

KEY = "el-live-key-4321"
URL = "/settings/provider-keys"
IDS = {v["name"]: v["voice_id"] for v in VOICES}


@pytest.fixture(scope="module")
def server():
    with FakeElevenLabs(KEY) as fake:
        yield fake


@pytest.fixture
def fake(server):
    server.reset()
    server.voices = [dict(v) for v in VOICES]
    return server


def save_key(web, fake, secret=KEY):
    resp = web.post(f"{URL}/tts/elevenlabs", {"secret": secret, "base_url": fake.url}, htmx=True)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def listed(api, **params) -> dict:
    query = "&".join(f"{k}={v}" for k, v in {"provider": "elevenlabs", "limit": 100, **params}.items())
    return {v["provider_voice_id"]: v for v in assert_envelope(api.get(f"/api/v1/voices?{query}"))["data"]}


def render_jobs() -> list:
    return [j for j in Queue("default", connection=redis_conn()).get_jobs()
            if j.func_name == "jobs.voices.render_workspace_voices"]


def test_saving_a_key_imports_the_accounts_voices_into_this_workspace_only(admin_web, workspace, owner_api, fake):
    html = save_key(admin_web, fake)
    assert "ElevenLabs key added. 3 voices imported from ElevenLabs." in html and "flash-success" in html
    assert "Voices imported" in html and "3 voices in this workspace’s catalog." in html
    assert "Re-import voices" in html and KEY not in html
    [req] = fake.requests
    assert (req["method"], req["path"], req["headers"]["xi-api-key"]) == ("GET", "/v1/voices", KEY)

    voices = listed(owner_api)
    assert set(voices) == set(IDS.values())
    alice, rachel = voices[IDS["Alice"]], voices[IDS["Rachel"]]
    assert all(v["provider"] == "elevenlabs" and v["availability"] == "available" for v in voices.values())
    assert (alice["name"], alice["gender"], alice["age"], alice["accent"]) == ("Alice", "female", "middle_aged",
                                                                               "british")
    assert alice["supported_languages"] == ["en-gb", "de-de"]                # the languages ElevenLabs verified
    assert [c["model"] for c in alice["model_capabilities"]] == ["eleven_multilingual_v2"]
    assert [c["model"] for c in rachel["model_capabilities"]] == ["eleven_turbo_v2", "eleven_multilingual_v2",
                                                                  "eleven_flash_v2_5"]
    assert not rachel["supported_languages"] and not any(c["languages_known"] for c in rachel["model_capabilities"])
    [job] = render_jobs()                                       # previews rendered later, with the workspace's key
    assert job.args[0] == workspace.id and len(job.args[1]) == 3

    other_owner = make_user(email="other@example.com")
    other = make_workspace(other_owner, name="Other", slug="other")
    other_api = owner_api.as_(make_key(other, other_owner))
    assert listed(other_api) == {}
    assert_error(other_api.get(f"/api/v1/voices/{rachel['id']}"), 404)


def test_removing_the_key_makes_the_voices_unavailable_and_a_new_key_brings_them_back(admin_web, owner_api, fake):
    save_key(admin_web, fake)
    before = listed(owner_api)
    resp = admin_web.post(f"{URL}/tts/elevenlabs/remove", htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "ElevenLabs key removed. Its 3 voices stay in the catalog as unavailable" in html
    after = listed(owner_api)
    assert set(after) == set(before)
    assert {(v["availability"], v["unavailable_reason"]) for v in after.values()} == {
        ("unavailable", "provider_key_unavailable")}
    save_key(admin_web, fake)
    again = listed(owner_api)
    assert {v["id"] for v in again.values()} == {v["id"] for v in before.values()}     # the same catalog rows
    assert {v["availability"] for v in again.values()} == {"available"}


def test_a_refused_key_is_saved_says_so_and_imports_nothing(admin_web, workspace, owner_api, fake):
    html = save_key(admin_web, fake, secret="el-revoked-key-0000")
    assert "ElevenLabs key added." in html and "the key was refused (HTTP 401)" in html
    assert "flash-warning" in html and "Voices not imported" in html
    db.session.rollback()
    assert provider_credentials.resolve(workspace.id, "tts", "elevenlabs").secret == "el-revoked-key-0000"
    assert listed(owner_api) == {} and render_jobs() == []
    assert len(fake.requests) == 1                                            # a 401 is not retried

    # voices imported with a good key become unavailable when the key is replaced by one that is refused
    save_key(admin_web, fake)
    save_key(admin_web, fake, secret="el-revoked-key-0000")
    assert {(v["availability"], v["unavailable_reason"]) for v in listed(owner_api).values()} == {
        ("unavailable", "provider_key_unavailable")}


def test_an_outage_keeps_the_key_and_the_voices_already_imported(admin_web, owner_api, fake):
    save_key(admin_web, fake)
    fake.reset().always(503)
    html = admin_web.post(f"{URL}/tts/elevenlabs/voices", htmx=True).get_data(as_text=True)
    assert "ElevenLabs voices were not imported: ElevenLabs is failing (HTTP 503" in html
    assert "Re-import voices" in html and "flash-warning" in html
    assert len(fake.requests) == 2                                            # one retry, then the answer
    assert {v["availability"] for v in listed(owner_api).values()} == {"available"}     # nothing changed


def test_reimport_reconciles_and_renders_only_voices_without_a_preview(admin_web, workspace, owner_api, fake):
    save_key(admin_web, fake)
    db.session.rollback()
    rachel = db.session.query(Voice).filter_by(workspace_id=workspace.id, provider_voice_id=IDS["Rachel"]).one()
    rachel.samples, rachel.voiceprint = {"en-us": {"key": "ws/x/voices/r.mp3"}}, [0.1, 0.2]   # rendered already
    db.session.commit()
    redis_conn().flushdb()
    fake.voices = [dict(v, name="Rachel (new)") if v["name"] == "Rachel" else v for v in VOICES
                   if v["name"] != "Brian"]
    resp = admin_web.post(f"{URL}/tts/elevenlabs/voices", htmx=True)
    assert resp.status_code == 200 and "2 voices imported from ElevenLabs." in resp.get_data(as_text=True)
    voices = listed(owner_api)
    assert voices[IDS["Rachel"]]["name"] == "Rachel (new)" and voices[IDS["Rachel"]]["id"] == rachel.id
    assert (voices[IDS["Brian"]]["availability"], voices[IDS["Brian"]]["unavailable_reason"]) == (
        "unavailable", "provider_voice_missing")
    [job] = render_jobs()
    assert job.args[1] == [voices[IDS["Alice"]]["id"]]                        # Rachel's preview is not paid again


def test_reimport_needs_a_key_and_an_admin(admin_web, login_as, workspace, editor, fake):
    assert admin_web.post(f"{URL}/tts/elevenlabs/voices").status_code == 404
    assert admin_web.post(f"{URL}/tts/deepl/voices").status_code == 404
    save_key(admin_web, fake)
    assert login_as(editor).post(f"{URL}/tts/elevenlabs/voices").status_code == 403
    assert admin_web.post(f"{URL}/tts/elevenlabs/voices", csrf=False).status_code == 400
    assert len(fake.requests) == 1
