"""Helpers for the upload tests: browser tokens, workflows, the two-step flow on LocalStore."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app.extensions import db
from tests.conftest import assert_envelope


def jwt_for(user) -> str:
    from app.auth.tokens import issue_jwt
    from app.services import accounts
    s = accounts.open_session(user)
    db.session.commit()
    token, _exp = issue_jwt(user.id, s.id, user.session_version, None)
    return token


def make_workflow(api, definition=None) -> str:
    body = {"name": "Uploads test"}
    if definition is not None:
        body["definition"] = definition
    return assert_envelope(api.post("/api/v1/workflows", json=body), 201)["data"]["id"]


def create(api, filename, category="script"):
    data = assert_envelope(api.post("/api/v1/uploads", json={"filename": filename, "category": category}))["data"]
    return data["upload"], data["upload_url"]


def local_put(client, url, data: bytes, content_type: str):
    """PUT like the CLI: raw bytes, only a Content-Type header, no auth."""
    parts = urlsplit(url)
    path = parts.path + (("?" + parts.query) if parts.query else "")
    return client.put(path, data=data, headers={"Content-Type": content_type})


def confirm(api, upload_id, workflow_id):
    return api.post(f"/api/v1/uploads/{upload_id}", json={"context_type": "workflow", "context_id": workflow_id})


@pytest.fixture
def upload_file(client, owner_api):
    """create + PUT (LocalStore) -> (upload, url); confirm is left to the test."""
    def run(filename, data: bytes, category="script", api=None, content_type=None):
        up, url = create(api or owner_api, filename, category)
        resp = local_put(client, url, data, content_type or up["content_type"])
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return up, url
    return run
