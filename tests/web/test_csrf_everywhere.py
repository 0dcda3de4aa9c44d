"""CSRF on every session-authenticated change. Each state-changing browser rule (route_walk.WRITES) is
sent by a logged-in owner without the token (as a form post, as HTMX without its X-CSRFToken header, and
with a wrong token) and must answer the app's "Form expired" 400 and change nothing; the same request with
the token gets through, so the refusal is the token's. The JSON API ignores the session cookie: a state-
changing API call carrying only the cookie (with or without a CSRF token) is 401 and changes nothing."""
from __future__ import annotations

import pytest

from tests.api.conftest import dump
from tests.web.route_walk import WRITES, fill, is_csrf_refusal, make_world, send, unsafe_rules

# Deliberately without CSRF, with the reason.
CSRF_EXEMPT = {
    ("PUT", "/_storage/put/<token>"): "LocalStore's signed upload URL: the signature is the credential and the "
                                      "view reads no cookie (app/storage/routes.py)",
}
CHECKED = sorted(set(WRITES) - set(CSRF_EXEMPT))


@pytest.fixture
def world(owner, workspace):
    return make_world(owner, workspace)


def test_every_write_rule_is_decided(app):
    """A new state-changing rule needs a line in route_walk.WRITES (and here, if it is exempt)."""
    assert unsafe_rules(app) == set(WRITES), "add the rule to tests/web/route_walk.py WRITES"
    assert set(CSRF_EXEMPT) <= set(WRITES)


@pytest.mark.parametrize("method,rule", CHECKED)
def test_write_without_csrf_token_is_refused(world, login_as, method, rule):
    call = WRITES[(method, rule)]
    path, web = call.path(rule, world), login_as(getattr(world, call.by))
    before = dump()
    attempts = {"no token": dict(csrf=None), "htmx, no header": dict(csrf=None, htmx=True),
                "wrong token": dict(csrf="x" + web.csrf[1:]), "htmx, wrong header": dict(csrf="bogus", htmx=True)}
    for name, how in attempts.items():
        resp = send(web.client, method, path, call, world, **how)
        assert is_csrf_refusal(resp), (name, resp.status_code, resp.get_data(as_text=True)[:300])
    assert dump() == before
    resp = send(web.client, method, path, call, world, csrf=web.csrf)       # the same request with the token
    assert resp.status_code < 400, (resp.status_code, resp.get_data(as_text=True)[:300])


@pytest.mark.parametrize("rule", ["/login", "/signup"])
def test_login_and_signup_need_the_token_before_any_session(world, client, rule):
    """Login CSRF: an anonymous form post without the token is refused too."""
    before = dump()
    resp = send(client, "POST", rule, WRITES[("POST", rule)], world)
    assert is_csrf_refusal(resp)
    assert dump() == before


def test_exemptions_are_real_and_still_refuse_a_bad_credential(world, login_as):
    """The exempt rule answers on its own terms (no CSRF page), and a forged signed URL is refused."""
    web = login_as(world.owner)
    before = dump()
    resp = web.client.put("/_storage/put/not-a-signed-token", data=b"evil", content_type="text/plain")
    assert resp.status_code == 403 and not is_csrf_refusal(resp)
    assert dump() == before


# ---------------------------------------------------------------- the JSON API and the session cookie


def _api_writes(app):
    for r in app.url_map.iter_rules():
        if r.rule.startswith("/api/"):
            for m in sorted(r.methods & {"POST", "PUT", "PATCH", "DELETE"}):
                yield m, r.rule


def test_api_ignores_the_session_cookie(app, world, login_as):
    """The API is exempt from CSRF because it takes no cookie: a logged-in browser's cookie alone (even with
    a valid CSRF token) gets 401 on every state-changing API rule."""
    web = login_as(world.owner)
    values = {**world.params(), "workspace_id": world.a.id, "entry_id": "e", "template_id": world.template_id,
              "voice_id": world.voice_id}
    rules = list(_api_writes(app))
    assert len(rules) > 20
    before = dump()
    for method, rule in rules:
        path = fill(rule, values)
        for headers in ({}, {"X-CSRFToken": web.csrf}):
            resp = web.client.open(path, method=method, json={}, headers=headers)
            assert resp.status_code == 401, (method, rule, headers, resp.status_code, resp.get_json())
            assert resp.get_json()["error"]["code"] in ("UNAUTHORIZED", "NOT_AUTHENTICATED"), resp.get_json()
    assert dump() == before
    # ... while the same cookie is a live browser session
    assert web.get("/settings/profile").status_code == 200

