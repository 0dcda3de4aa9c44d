"""Helpers for the HTML UI tests: log in through the real login form (CSRF token scraped from the page)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.factories import PASSWORD, add_member, make_user

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def scrape_csrf(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    m = CSRF_RE.search(html)
    assert m, f"no csrf token on {path}"
    return m.group(1)


def login(client, email: str, password: str = PASSWORD):
    token = scrape_csrf(client, "/login")
    resp = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    client.csrf = scrape_csrf(client, "/home")  # the session (and its CSRF token) rotate on login
    return client


class WebClient:
    """A logged-in browser: .post() adds the CSRF token unless told not to."""

    def __init__(self, client):
        self.client = client

    @property
    def csrf(self):
        return self.client.csrf

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, data=None, *, csrf=True, htmx=False, **kw):
        data = dict(data or {}) if not hasattr(data, "getlist") else data
        if csrf and not hasattr(data, "getlist"):
            data.setdefault("csrf_token", self.csrf)
        headers = kw.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(path, data=data, headers=headers, **kw)

    def text(self, path) -> str:
        resp = self.get(path)
        assert resp.status_code == 200, (path, resp.status_code)
        return resp.get_data(as_text=True)


@pytest.fixture
def login_as(app):
    def _login(user, password: str = PASSWORD) -> WebClient:
        return WebClient(login(app.test_client(), user.email, password))
    return _login


@pytest.fixture
def editor(workspace):
    return add_member(workspace, make_user(email="editor@example.com"), role="editor")


@pytest.fixture
def viewer(workspace):
    return add_member(workspace, make_user(email="viewer@example.com"), role="viewer")


@pytest.fixture
def admin_web(login_as, owner, workspace):
    return login_as(owner)


class _Controls(HTMLParser):
    """Collects form controls and <label for> targets, to check that every control is labelled."""

    def __init__(self):
        super().__init__()
        self.controls, self.label_for, self._in_label = [], set(), 0
        self.wrapped = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self._in_label += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            self.controls.append(a)
            if self._in_label:
                self.wrapped.add(id(a))

    def handle_endtag(self, tag):
        if tag == "label":
            self._in_label -= 1


def unlabelled_controls(html: str) -> list[dict]:
    p = _Controls()
    p.feed(html)
    return [c for c in p.controls if c.get("id") not in p.label_for and id(c) not in p.wrapped]
