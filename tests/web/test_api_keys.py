"""API keys: the plaintext is shown exactly once; only its hash is stored."""
from __future__ import annotations

import hashlib
import re

from app.extensions import db
from app.models import SCOPES, ApiKey
from tests.factories import make_key

KEY_RE = re.compile(r'<code id="new-api-key">([^<]+)</code>')


def test_key_is_shown_once_and_stored_hashed(admin_web, workspace):
    resp = admin_web.post("/settings/api-keys", {"name": "CI", "scopes": ["workflows:read", "workflows:run"]},
                          htmx=True)
    assert resp.status_code == 201
    assert resp.headers["Cache-Control"] == "no-store"
    html = resp.get_data(as_text=True)
    plaintext = KEY_RE.search(html).group(1)
    assert plaintext.startswith("op_live_") and "will not be shown again" in html
    assert 'data-copy-target="#new-api-key"' in html
    again = admin_web.text("/settings/api-keys")
    assert plaintext not in again and 'id="new-api-key"' not in again
    assert "CI" in again and plaintext[:14] in again  # the display prefix stays visible
    key = db.session.scalar(db.select(ApiKey).filter_by(name="CI"))
    assert key.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert key.scopes == ["workflows:read", "workflows:run"]
    stored = [str(v) for v in (key.name, key.prefix, key.key_hash, key.scopes)]
    assert not any(plaintext in v for v in stored)


def test_full_access_checkbox(admin_web, workspace):
    resp = admin_web.post("/settings/api-keys", {"name": "All", "scopes": ["all"]})
    assert resp.status_code == 201 and KEY_RE.search(resp.get_data(as_text=True))
    key = db.session.scalar(db.select(ApiKey).filter_by(name="All"))
    assert key.scopes == sorted(SCOPES)
    assert "Full access" in admin_web.text("/settings/api-keys")


def test_create_errors_are_inline(admin_web, login_as, workspace, viewer):
    resp = admin_web.post("/settings/api-keys", {"name": ""}, htmx=True)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Key name is required" in html and "Scopes: choose at least one scope" in html
    resp = login_as(viewer).post("/settings/api-keys", {"name": "w", "scopes": ["workflows:write"]})
    assert resp.status_code == 422 and "viewers can only create read-only keys" in resp.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiKey)) == 0


def test_create_without_csrf_is_refused(admin_web, workspace):
    resp = admin_web.post("/settings/api-keys", {"name": "x", "scopes": ["all"]}, csrf=False)
    assert resp.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiKey)) == 0


def test_revoke_and_listing(admin_web, login_as, workspace, owner, editor):
    make_key(workspace, owner, "all", name="owner key")
    make_key(workspace, editor, "workflows:read", name="editor key")
    html = admin_web.text("/settings/api-keys")
    assert "owner key" in html and "editor key" in html  # admins see every key
    editor_web = login_as(editor)
    html = editor_web.text("/settings/api-keys")
    assert "editor key" in html and "owner key" not in html
    owner_key = db.session.scalar(db.select(ApiKey).filter_by(name="owner key"))
    assert editor_web.post(f"/settings/api-keys/{owner_key.id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiKey, owner_key.id).revoked_at is None
    resp = admin_web.post(f"/settings/api-keys/{owner_key.id}/revoke", htmx=True)
    assert resp.status_code == 200 and "revoked" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ApiKey, owner_key.id).revoked_at is not None
    row = admin_web.text("/settings/api-keys").split(f'data-key-id="{owner_key.id}"')[1].split("</tr>")[0]
    assert "Revoked" in row and "/revoke" not in row
