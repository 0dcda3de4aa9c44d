"""Workspace settings → Provider keys: admins add, replace and remove keys; editors and viewers are
refused on the server; CSRF is enforced; the secret is never rendered and only ciphertext is stored."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ActivityEvent, ProviderCredential
from app.services import provider_credentials
from app.speech.tts.cloud import ADAPTERS
from tests.fakes.cartesia import FakeCartesia
from tests.fakes.elevenlabs import FakeElevenLabs
from tests.fakes.openai_tts import FakeOpenAI
from tests.web.conftest import unlabelled_controls

SECRET = "sk-live-very-secret-value-9876"
URL = "/settings/provider-keys"


@pytest.fixture(scope="module")
def vendors():
    fakes = {"elevenlabs": FakeElevenLabs(), "openai": FakeOpenAI(), "cartesia": FakeCartesia()}
    for f in fakes.values():
        f.start()
    yield fakes
    for f in fakes.values():
        f.stop()


@pytest.fixture(autouse=True)
def _no_real_vendor(vendors, monkeypatch):
    """Saving a TTS key lists the provider's voices: a key saved without a base URL goes to the local fake
    instead of the vendor's host (these keys are refused there, which these tests do not look at)."""
    for provider, fake in vendors.items():
        monkeypatch.setattr(ADAPTERS[provider], "default_base_url", fake.url)


def _creds(workspace):
    db.session.rollback()
    return db.session.scalars(select(ProviderCredential).where(ProviderCredential.workspace_id == workspace.id)).all()


def _secret(workspace, kind, provider):
    db.session.rollback()                       # see what the requests committed
    cred = provider_credentials.resolve(workspace.id, kind, provider)
    return cred.secret if cred else None


def test_admin_adds_replaces_and_removes_a_key(admin_web, workspace):
    page = admin_web.text(URL)
    for name in ("ElevenLabs", "OpenAI", "Cartesia", "LibreTranslate", "DeepL", "OpenAI-compatible"):
        assert name in page
    assert page.count("Not configured") == 6 and not unlabelled_controls(page)

    resp = admin_web.post(f"{URL}/tts/elevenlabs", {"secret": SECRET, "base_url": "http://127.0.0.1:9/el"}, htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    assert "ElevenLabs key added." in html and "••••9876" in html and 'value="http://127.0.0.1:9/el"' in html
    assert SECRET not in html and SECRET not in admin_web.text(URL)
    [cred] = _creds(workspace)
    assert (cred.kind, cred.provider, cred.secret_last4) == ("tts", "elevenlabs", "9876")
    assert SECRET.encode() not in cred.secret_encrypted and cred.secret_encrypted.startswith(b"gAAAA")  # Fernet token
    assert _secret(workspace, "tts", "elevenlabs") == SECRET

    # a blank key keeps the stored one and only changes the base URL; a new key replaces it
    admin_web.post(f"{URL}/tts/elevenlabs", {"secret": "", "base_url": ""})
    assert _secret(workspace, "tts", "elevenlabs") == SECRET
    assert _creds(workspace)[0].base_url is None
    resp = admin_web.post(f"{URL}/tts/elevenlabs", {"secret": "sk-second-key-1111"}, htmx=True)
    assert "ElevenLabs key updated." in resp.get_data(as_text=True)
    assert _secret(workspace, "tts", "elevenlabs") == "sk-second-key-1111"

    admin_web.post(f"{URL}/mt/deepl", {"secret": "deepl-key-abcd:fx"})           # MT keys live here too
    assert {(c.kind, c.provider) for c in _creds(workspace)} == {("tts", "elevenlabs"), ("mt", "deepl")}

    resp = admin_web.post(f"{URL}/tts/elevenlabs/remove", htmx=True)
    assert resp.status_code == 200 and "ElevenLabs key removed." in resp.get_data(as_text=True)
    assert {(c.kind, c.provider) for c in _creds(workspace)} == {("mt", "deepl")}
    kinds = db.session.scalars(select(ActivityEvent.kind).where(ActivityEvent.action == "settings_changed")
                               .order_by(ActivityEvent.created_at)).all()
    assert kinds == ["provider_key.added", "provider_key.updated", "provider_key.updated", "provider_key.added",
                     "provider_key.removed"]


def test_form_errors_are_inline(admin_web, workspace):
    resp = admin_web.post(f"{URL}/tts/openai", {"secret": ""}, htmx=True)
    assert resp.status_code == 422 and "API key An API key is required." in resp.get_data(as_text=True)
    resp = admin_web.post(f"{URL}/tts/openai", {"secret": "sk-x-1234", "base_url": "ftp://nope"}, htmx=True)
    assert resp.status_code == 422 and "Base URL must start with http://" in resp.get_data(as_text=True)
    assert _creds(workspace) == []
    assert admin_web.post(f"{URL}/tts/acme/remove").status_code == 404
    assert admin_web.post(f"{URL}/tts/deepl", {"secret": "k"}).status_code == 404           # deepl is an MT provider


def test_editors_and_viewers_are_refused(login_as, workspace, editor, viewer):
    provider_credentials.save(workspace.id, "tts", "openai", secret=SECRET)
    db.session.commit()
    for user in (editor, viewer):
        web = login_as(user)
        assert web.get(URL).status_code == 403
        assert web.post(f"{URL}/tts/openai", {"secret": "sk-hijack-0000"}).status_code == 403
        assert web.post(f"{URL}/tts/openai/remove").status_code == 403
        assert web.post(f"{URL}/tts/openai/remove", htmx=True).status_code == 403
        assert "Manage provider keys" not in web.text("/settings/workspace")
    assert _secret(workspace, "tts", "openai") == SECRET


def test_csrf_is_enforced(admin_web, workspace):
    assert admin_web.post(f"{URL}/tts/cartesia", {"secret": SECRET}, csrf=False).status_code == 400
    provider_credentials.save(workspace.id, "tts", "cartesia", secret=SECRET)
    db.session.commit()
    assert admin_web.post(f"{URL}/tts/cartesia/remove", csrf=False).status_code == 400
    assert [c.provider for c in _creds(workspace)] == ["cartesia"]


def test_settings_page_links_to_provider_keys(admin_web):
    html = admin_web.text("/settings/workspace")
    assert re.search(r'href="/settings/provider-keys"', html) and "Manage provider keys" in html
