"""Every action the contract lists writes its activity event, and the event shows up in the usage feed
(usage.usage_activity) with the actor, the action, the kind and the resource:
  workflow_run (a run launched), voice_generated (a run finished; here: cancelled before any audio),
  template_applied (a template cloned), member_invited (invite sent, invite accepted),
  api_key_created, settings_changed (workspace, settings, member role, member removed, invite revoked,
  invite role changed, API key revoked).
Rejected actions (422/403) write nothing."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import ActivityEvent
from app.services import api_keys, credits
from app.services import workspaces as ws_svc
from tests.api.conftest import jwt_for, make_invite
from tests.conftest import assert_envelope, assert_error
from tests.factories import add_member, make_user, membership
from tests.templates.helpers import create as create_template
from tests.templates.helpers import defn


def feed(api, **query) -> list[dict]:
    return assert_envelope(api.get("/api/v1/usage/activity", query_string={"limit": 100, **query}))["data"]


def only(api, kind: str) -> dict:
    rows = [r for r in feed(api) if r["kind"] == kind]
    assert len(rows) == 1, (kind, [r["kind"] for r in feed(api)])
    return rows[0]


def events() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ActivityEvent))


def test_a_run_launch_and_its_end_are_recorded(owner_api, owner, workspace):
    wf = assert_envelope(owner_api.post("/api/v1/workflows", json={"name": "Promo", "definition": defn()}), 201)["data"]
    credits.ensure_period_grant(owner)
    db.session.commit()
    run = assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs"), 202)["data"]
    started = only(owner_api, "run.started")
    assert started["action"] == "workflow_run" and started["user"]["id"] == owner.id
    assert started["resource"] == {"type": "run", "id": run["id"], "name": "Promo"}
    assert started["metadata"] == {"workflow_id": wf["id"], "run_number": 1}
    assert_envelope(owner_api.post(f"/api/v1/workflows/{wf['id']}/runs/{run['id']}/cancel"))
    ended = only(owner_api, "run.cancelled")
    assert ended["action"] == "voice_generated" and ended["resource"]["id"] == run["id"]
    assert ended["metadata"]["lines"] == 0
    assert [r["kind"] for r in feed(owner_api, type="workflow_run")] == ["run.started"]


def test_template_applied(owner_api, owner, workspace):
    t = create_template(owner_api, "Narration")
    wf = assert_envelope(owner_api.post(f"/api/v1/templates/{t['id']}/clone", json={"name": "From it"}), 201)["data"]
    ev = only(owner_api, "template.cloned")
    assert ev["action"] == "template_applied" and ev["resource"] == {"type": "workflow", "id": wf["id"], "name": "From it"}
    assert ev["metadata"]["template_id"] == t["id"]


def test_invites_sent_accepted_revoked_and_re_roled(api, owner_api, owner, workspace):
    path = f"/api/v1/workspaces/{workspace.id}/invites"
    inv = assert_envelope(owner_api.post(path, json={"email": "new@example.com", "role": "viewer"}), 201)["data"]
    sent = only(owner_api, "member.invited")
    assert sent["action"] == "member_invited" and sent["resource"]["name"] == "new@example.com"
    assert_envelope(owner_api.patch(f"{path}/{inv['id']}", json={"role": "editor"}))
    assert_envelope(owner_api.patch(f"{path}/{inv['id']}", json={"role": "editor"}))      # same role: nothing new
    changed = only(owner_api, "invite.role_changed")
    assert changed["action"] == "settings_changed" and changed["metadata"] == {"from": "viewer", "to": "editor"}
    assert_envelope(owner_api.delete(f"{path}/{inv['id']}"))
    assert only(owner_api, "invite.revoked")["resource"]["id"] == inv["id"]
    # an accepted invite: recorded as the new member's own action
    newcomer = make_user(email="joiner@example.com")
    inv2, token = make_invite(workspace, owner, "joiner@example.com", "editor")
    assert_envelope(api.as_(jwt_for(newcomer)).post(f"/api/v1/workspaces/invites/{token}/accept"))
    accepted = only(owner_api, "invite.accepted")
    assert accepted["action"] == "member_invited" and accepted["user"]["id"] == newcomer.id
    assert accepted["metadata"] == {"role": "editor", "invited_by": owner.id}
    assert [r["user"]["id"] for r in feed(owner_api, user_id=newcomer.id)] == [newcomer.id]


def test_member_role_change_and_removal(owner_api, owner, workspace):
    ed = add_member(workspace, make_user(email="ed@example.com"), "editor")
    mid = membership(workspace, ed).id
    base = f"/api/v1/workspaces/{workspace.id}/members/{mid}"
    assert_envelope(owner_api.patch(base, json={"role": "viewer"}))
    assert only(owner_api, "member.role_changed")["metadata"] == {"from": "editor", "to": "viewer"}
    assert_envelope(owner_api.delete(base))
    removed = only(owner_api, "member.removed")
    assert removed["action"] == "settings_changed" and removed["resource"]["name"] == "ed@example.com"


def test_api_keys_created_and_revoked(owner, workspace, owner_api):
    key, _plain = api_keys.create(workspace, membership(workspace, owner), owner, {"name": "CI", "scopes": "all"})
    db.session.commit()
    created = [r for r in feed(owner_api, type="api_key_created") if r["resource"]["name"] == "CI"]
    assert len(created) == 1 and created[0]["resource"]["id"] == key.id and created[0]["kind"] == "api_key.created"
    api_keys.revoke(workspace, membership(workspace, owner), owner, key.id)
    db.session.commit()
    api_keys.revoke(workspace, membership(workspace, owner), owner, key.id)         # again: nothing new
    db.session.commit()
    assert only(owner_api, "api_key.revoked")["resource"] == {"type": "api_key", "id": key.id, "name": "CI"}


def test_workspace_and_settings_changes(owner_api, owner, workspace):
    assert_envelope(owner_api.patch(f"/api/v1/workspaces/{workspace.id}", json={"name": "Renamed"}))
    ev = only(owner_api, "workspace.updated")
    assert ev["action"] == "settings_changed" and ev["metadata"] == {"fields": ["name"]}
    ws_svc.update_settings(workspace, membership(workspace, owner), owner, {"theme": "dark"})
    db.session.commit()
    assert only(owner_api, "workspace.settings_updated")["action"] == "settings_changed"


def test_refused_actions_write_no_event(api, owner_api, owner, workspace):
    viewer = add_member(workspace, make_user(email="vi@example.com"), "viewer")
    before = events()
    path = f"/api/v1/workspaces/{workspace.id}/invites"
    assert_error(owner_api.post(path, json={"email": "not-an-email", "role": "viewer"}), 422)
    assert_error(api.as_(jwt_for(viewer)).post(path, json={"email": "x@example.com", "role": "viewer"},
                                                headers={"X-Workspace-Id": workspace.id}), 403)
    assert_error(owner_api.patch(f"/api/v1/workspaces/{workspace.id}", json={"color_idx": 99}), 422)
    assert events() == before
