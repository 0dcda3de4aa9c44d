"""workspaces.*, workspace.get_workspace_settings and workspace_members.*"""
from flask import current_app, request

from app.api import api_v1
from app.api.context import management, principal, workspace, workspace_by_id
from app.api.envelope import ok, ok_list, ok_null
from app.api.params import body, paging
from app.api.registry import endpoint
from app.errors import BadRequest, ValidationFailed
from app.extensions import db
from app.models import Workspace
from app.services import members as members_svc
from app.services import workspaces as ws_svc
from app.services.plans import get_plan

T = "Workspaces"
M = "Workspace members"


def _base_url() -> str:
    return current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")


@endpoint(api_v1, "/workspaces", sdk="workspaces.list_workspaces", scope="workspace:read", tag=T,
          query={"offset": "int", "limit": "int"}, response="list[WorkspaceOut]", workspace_header="none")
def list_workspaces():
    """Workspaces where the caller has any role."""
    p = principal("workspace:read")
    offset, limit = paging()
    if p.api_key is not None and not p.full_access:  # a restricted key sees only its own workspace
        rows = [db.session.get(Workspace, p.api_key.workspace_id)][offset:offset + limit + 1]
    else:
        rows = ws_svc.list_for_user(p.user, offset, limit + 1)
    return ok_list([ws_svc.workspace_out(w) for w in rows[:limit]], limit=limit, offset=offset,
                   has_more=len(rows) > limit)


@endpoint(api_v1, "/workspaces", ("POST",), sdk="workspaces.create_workspace", tag=T, status=201,
          body={"name": ("str", True), "slug": ("str", False), "color_idx": ("int", False)},
          response="WorkspaceOut", workspace_header="none")
def create_workspace():
    """Create a workspace; the caller becomes its owner and an admin."""
    p = management()
    ws = ws_svc.create(p.user, body())
    db.session.commit()
    return ok(ws_svc.workspace_out(ws), 201)


@endpoint(api_v1, "/workspaces/slug-available", sdk="workspaces.slug_available", scope="workspace:read", tag=T,
          query={"slug": "str"}, response="SlugAvailabilityOut", workspace_header="required")
def slug_available():
    """Is a slug free for the workspace named in X-Workspace-Id (its own slug never reads as taken)?"""
    ws, membership = workspace("workspace:read", required_header=True)
    if "slug" not in request.args:
        raise ValidationFailed([{"field": "slug", "message": "is required"}])
    return ok(ws_svc.slug_availability(ws, membership, request.args["slug"]))


@endpoint(api_v1, "/workspaces/<workspace_id>", sdk="workspaces.get_workspace", scope="workspace:read", tag=T,
          response="WorkspaceOut", workspace_header="none")
def get_workspace(workspace_id):
    """One workspace the caller belongs to (anything else: 404)."""
    ws, _ = workspace_by_id(workspace_id, "workspace:read")
    return ok(ws_svc.workspace_out(ws))


@endpoint(api_v1, "/workspaces/<workspace_id>", ("PATCH",), sdk="workspaces.update_workspace", tag=T,
          body={"name": ("str", False), "slug": ("str", False), "color_idx": ("int", False),
                "routing_price_sensitivity": ("float", False), "routing_llm_fit": ("bool", False)},
          response="WorkspaceOut", workspace_header="none")
def update_workspace(workspace_id):
    """Admins change name, slug, colour and routing settings."""
    p = management()
    ws, membership = workspace_by_id(workspace_id)
    ws_svc.update(ws, membership, p.user, body())
    db.session.commit()
    return ok(ws_svc.workspace_out(ws))


@endpoint(api_v1, "/workspaces/<workspace_id>", ("DELETE",), sdk="workspaces.delete_workspace", tag=T,
          response="dict", workspace_header="none")
def delete_workspace(workspace_id):
    """Owner only: soft-delete the workspace and everything in it."""
    p = management()
    ws, _ = workspace_by_id(workspace_id)
    ws_svc.delete(ws, p.user)
    db.session.commit()
    return ok({"id": ws.id, "deleted": True})


@endpoint(api_v1, "/workspaces/<workspace_id>/plan", sdk="workspaces.get_workspace_plan_limits",
          scope="workspace:read", tag=T, response="PlanLimits", workspace_header="none")
def workspace_plan(workspace_id):
    """Plan limits governing this workspace (its owner's plan)."""
    ws, _ = workspace_by_id(workspace_id, "workspace:read")
    return ok(get_plan(ws.owner.plan).limits())


_BILLING = ("Billing is not part of self-hosted OnePin Server: plans are assigned by the operator "
            "(onepin-server set-plan).")


@endpoint(api_v1, "/workspaces/<workspace_id>/subscription", sdk="workspaces.get_workspace_subscription",
          scope="workspace:read", tag=T, response="CustomerSubscriptionResponse", workspace_header="none")
def workspace_subscription(workspace_id):
    """No workspace has a subscription on a self-hosted server: `data` is null, the SDK's documented answer
    for a workspace without one (plans are assigned by the operator with onepin-server set-plan)."""
    workspace_by_id(workspace_id, "workspace:read")
    return ok_null()


@endpoint(api_v1, "/workspaces/<workspace_id>/billing/checkout", ("POST",),
          sdk="workspaces.create_workspace_org_checkout", tag=T, response="CheckoutResponse",
          body={"plan_price_id": ("str", True), "return_url": ("str", True), "coupon_code": ("str", False)},
          workspace_header="none")
def workspace_checkout(workspace_id):
    """Not available on a self-hosted server (documented BILLING_NOT_SUPPORTED error)."""
    management()
    workspace_by_id(workspace_id)
    raise BadRequest(_BILLING, code="BILLING_NOT_SUPPORTED")


@endpoint(api_v1, "/workspaces/<workspace_id>/settings", sdk="workspace.get_workspace_settings",
          scope="workspace:read", tag=T, response="WorkspaceSettingsOut", workspace_header="none")
def workspace_settings(workspace_id):
    """Default language and theme; defaults are created and persisted on first read."""
    ws, _ = workspace_by_id(workspace_id, "workspace:read")
    s = ws_svc.settings(ws)
    db.session.commit()
    return ok(ws_svc.settings_out(s))


@endpoint(api_v1, "/workspaces/<workspace_id>/members", sdk="workspace_members.list_members",
          scope="workspace:read", tag=M, response="list[WorkspaceMemberOut]", workspace_header="none")
def list_members(workspace_id):
    """Active members and pending invites, the caller first, then admins, then others."""
    ws, _ = workspace_by_id(workspace_id, "workspace:read")
    rows = members_svc.list_members(ws, principal().user)
    return ok_list(rows, limit=max(len(rows), 1), has_more=False)


@endpoint(api_v1, "/workspaces/<workspace_id>/invites", ("POST",), sdk="workspace_members.create_invite", tag=M,
          status=201, body={"email": ("str", True), "role": ("WorkspaceRole", True)},
          response="WorkspaceInviteOut", workspace_header="none")
def create_invite(workspace_id):
    """Admins invite by email; the invite expires after 14 days."""
    p = management("inviting members")
    ws, membership = workspace_by_id(workspace_id)
    inv, _token = members_svc.invite(ws, membership, p.user, body(), base_url=_base_url())
    db.session.commit()
    return ok(members_svc.invite_out(inv), 201)


@endpoint(api_v1, "/workspaces/<workspace_id>/invites/<invite_id>", ("PATCH",),
          sdk="workspace_members.update_invite_role", tag=M, body={"role": ("WorkspaceRole", True)},
          response="WorkspaceInviteOut", workspace_header="none")
def update_invite_role(workspace_id, invite_id):
    """Change the role of a pending invite."""
    management("changing invites")
    ws, membership = workspace_by_id(workspace_id)
    inv = members_svc.update_invite_role(ws, membership, invite_id, body())
    db.session.commit()
    return ok(members_svc.invite_out(inv))


@endpoint(api_v1, "/workspaces/<workspace_id>/invites/<invite_id>", ("DELETE",),
          sdk="workspace_members.revoke_invite", tag=M, response="dict", workspace_header="none")
def revoke_invite(workspace_id, invite_id):
    """Revoke a pending invite (a later accept gets 410)."""
    management("revoking invites")
    ws, membership = workspace_by_id(workspace_id)
    members_svc.revoke_invite(ws, membership, invite_id)
    db.session.commit()
    return ok({"id": invite_id, "revoked": True})


@endpoint(api_v1, "/workspaces/<workspace_id>/members/<member_id>", ("PATCH",),
          sdk="workspace_members.update_member_role", tag=M, body={"role": ("WorkspaceRole", True)},
          response="dict", workspace_header="none")
def update_member_role(workspace_id, member_id):
    """Change a member's role (owner and last admin protected)."""
    p = management("changing roles")
    ws, membership = workspace_by_id(workspace_id)
    m = members_svc.update_role(ws, membership, p.user, member_id, body())
    db.session.commit()
    return ok({"id": m.id, "user_id": m.user_id, "role": m.role})


@endpoint(api_v1, "/workspaces/<workspace_id>/members/<member_id>", ("DELETE",),
          sdk="workspace_members.remove_member", tag=M, response="dict", workspace_header="none")
def remove_member(workspace_id, member_id):
    """Remove a member (owner and last admin protected)."""
    p = management("removing members")
    ws, membership = workspace_by_id(workspace_id)
    members_svc.remove(ws, membership, p.user, member_id)
    db.session.commit()
    return ok({"id": member_id, "removed": True})


@endpoint(api_v1, "/workspaces/invites/<token>/accept", ("POST",), sdk="workspace_members.accept_invite", tag=M,
          response="dict", workspace_header="none")
def accept_invite(token):
    """Accept an invite sent to the caller's email; idempotent for existing members."""
    p = management("accepting invites")
    ws = members_svc.accept(token, p.user)
    db.session.commit()
    return ok({"workspace_id": ws.id})
