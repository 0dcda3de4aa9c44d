"""Names people type can be long and unbroken ("W" * 60): on a phone (375×740) every page that prints them -
in headings, eyebrows, cards, tables, the run header, the members list, the API keys, the usage activity -
wraps or shortens them, and never scrolls sideways. test_pages_responsive's walk over every page, over its
world with 60-character workspace, workflow, API key and member names and a 50-character email."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models.base import utcnow
from app.services import api_keys
from app.services import workflows as wf_svc
from tests.e2e.test_pages_responsive import visit_all
from tests.factories import add_member, make_user, make_workspace, membership
from tests.services import usage_data
from tests.web.route_walk import make_world

pytestmark = pytest.mark.e2e

WS_NAME, WF_NAME, KEY_NAME, PERSON = "W" * 60, "F" * 60, "K" * 60, "M" * 60
EMAIL = "m" * 50 + "@example.com"


@pytest.fixture
def long_world():
    owner = make_user(email="o" * 50 + "@example.com", name="O" * 60)
    ws = make_workspace(owner, name=WS_NAME, slug="long-names")
    w = make_world(owner, ws)
    m = membership(ws, owner)
    wf_svc.patch(w.wf, m, owner, {"name": WF_NAME})
    api_keys.create(ws, m, owner, {"name": KEY_NAME, "scopes": "all"})
    add_member(ws, make_user(email=EMAIL, name=PERSON), "editor")
    add_member(ws, make_user(email="e" * 50 + "@example.com", name="e" * 50 + "@example.com"), "viewer")
    usage_data.run(ws, owner, utcnow() - timedelta(days=1),
                   [{"locale": "en-us", "text": "Hello there, world.", "milli": 2000, "ms": 1500}], credits=2,
                   wf=usage_data.workflow(ws, owner, name="U" * 60))
    db.session.commit()
    return w


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_long_unbroken_names_never_make_a_page_scroll_sideways(browser, live_server, long_world, size):
    problems = visit_all(browser, live_server, long_world, "owner", size, f"long-names-{size}")
    assert problems == [], "\n".join(problems)
