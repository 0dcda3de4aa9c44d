"""Viewers read; they change nothing in a workspace. Every state-changing browser rule (route_walk.WRITES)
is refused to a viewer of workspace A who sends a valid CSRF token, and nothing changes; the same request
from A's owner gets through, so the refusal is the role's and not the request's. The rules a viewer may
use are listed below with the reason, and checked to let the viewer through."""
from __future__ import annotations

import pytest

from tests.api.conftest import dump
from tests.web.route_walk import WRITES, Call, make_world, send, unsafe_rules

# What a viewer may do: their own account, sessions and workspaces, and editor requests that save nothing.
VIEWER_MAY = {
    ("POST", "/auth/token"): "a JSON API token for their own session, which carries their own role",
    ("POST", "/login"): "signing in is not a workspace action",
    ("POST", "/signup"): "creating an account is not a workspace action",
    ("POST", "/logout"): "their own session",
    ("POST", "/invites/<token>"): "accepting an invitation addressed to them",
    ("POST", "/workspaces/new"): "a new workspace is their own (they are its owner)",
    ("POST", "/workspaces/switch"): "choosing among the workspaces they belong to",
    ("POST", "/settings/profile/password"): "their own profile",
    ("POST", "/settings/profile/notifications"): "their own profile",
    ("POST", "/settings/api-keys"): "read-only keys of their own (write scopes: 422, test_api_keys.py)",
    ("POST", "/workflows/<workflow_id>/editor/layout"): "lays out the canvas it is sent; saves nothing",
    ("POST", "/workflows/<workflow_id>/editor/panel"): "renders a node's settings (read-only for a viewer)",
    ("POST", "/workflows/<workflow_id>/editor/estimate"): "prices the canvas it is sent; saves nothing",
    ("POST", "/workflows/<workflow_id>/run/preview"): "prices a run; starts nothing",
}
# Not a session at all: the signed URL is the credential (the same for any role).
NO_SESSION = {("PUT", "/_storage/put/<token>")}
# The refusal, where it is not 403.
REFUSAL = {
    ("POST", "/settings/workspace"): 404,                   # ws_svc.update hides the workspace from non-admins,
                                                            # as PATCH /api/v1/workspaces/<id> does
    ("POST", "/settings/api-keys/<key_id>/revoke"): 404,    # another member's key is not shown to a viewer
}
REFUSED = sorted(set(WRITES) - set(VIEWER_MAY) - NO_SESSION)


@pytest.fixture
def world(owner, workspace):
    return make_world(owner, workspace)


def test_every_write_rule_is_decided(app):
    """A new state-changing rule needs a line in route_walk.WRITES, and here if a viewer may use it."""
    assert unsafe_rules(app) == set(WRITES), "add the rule to tests/web/route_walk.py WRITES"
    assert set(VIEWER_MAY) | NO_SESSION | set(REFUSAL) <= set(WRITES)
    assert not set(REFUSAL) & set(VIEWER_MAY)


@pytest.mark.parametrize("method,rule", REFUSED)
def test_viewer_is_refused_and_nothing_changes(world, login_as, method, rule):
    call = WRITES[(method, rule)]
    path = call.path(rule, world)
    viewer = login_as(world.viewer)
    before = dump()
    for htmx in (False, True):
        resp = send(viewer.client, method, path, call, world, csrf=viewer.csrf, htmx=htmx)
        assert resp.status_code == REFUSAL.get((method, rule), 403), (htmx, resp.status_code,
                                                                       resp.get_data(as_text=True)[:300])
    assert dump() == before
    # the same request from the owner passes the access checks (409: the run's state, not access)
    owner = login_as(world.owner)
    resp = send(owner.client, method, path, call, world, csrf=owner.csrf)
    assert resp.status_code < 400 or resp.status_code == 409, (resp.status_code, resp.get_data(as_text=True)[:300])


@pytest.mark.parametrize("method,rule", sorted(VIEWER_MAY))
def test_viewer_may(world, login_as, method, rule):
    call = WRITES[(method, rule)]
    path = call.path(rule, world)
    viewer = login_as(world.viewer)
    if rule == "/login":
        call = Call(form=lambda w: {"email": "viewer@example.com", "password": "correct horse battery"})
    resp = send(viewer.client, method, path, call, world, csrf=viewer.csrf)
    assert resp.status_code < 400, (resp.status_code, resp.get_data(as_text=True)[:300])
