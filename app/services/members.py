"""Members and invitations of a workspace."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from app.auth.permissions import require_role
from app.auth.tokens import new_invite_token, sha256_hex
from app.errors import Conflict, Forbidden, Gone, NotFound, PaymentRequired
from app.extensions import db
from app.models import ROLES, ApiKey, Invite, Membership, User, Workspace, iso
from app.models.base import utcnow
from app.services import activity, outbox
from app.services.accounts import normalize_email, validate_email
from app.services.plans import get_plan
from app.validation import Validation


def invite_state(inv: Invite) -> str:
    if inv.status == "pending" and inv.expires_at <= utcnow():
        return "expired"
    return inv.status


def _pending_invites(ws: Workspace):
    return [i for i in db.session.scalars(select(Invite).where(Invite.workspace_id == ws.id,
                                                                Invite.status == "pending")
                                          .order_by(Invite.created_at.asc(), Invite.id.asc()))
            if invite_state(i) == "pending"]


def _members(ws: Workspace) -> list[Membership]:
    return list(db.session.scalars(select(Membership).where(Membership.workspace_id == ws.id)
                                   .order_by(Membership.created_at.asc(), Membership.id.asc())))


def seats_used(ws: Workspace) -> int:
    return len(_members(ws)) + len(_pending_invites(ws))


def _seat_limit(ws: Workspace) -> int:
    return get_plan(db.session.get(User, ws.owner_id).plan).seats_per_workspace


def list_members(ws: Workspace, viewer: User) -> list[dict]:
    members = _members(ws)
    members.sort(key=lambda m: (m.user_id != viewer.id, m.role != "admin", m.created_at, m.id))
    rows = [member_out(m, ws) for m in members]
    rows += [invite_as_member_out(i) for i in _pending_invites(ws)]
    return rows


def member_out(m: Membership, ws: Workspace) -> dict:
    u = m.user
    return {"id": m.id, "user_id": u.id, "email": u.email, "first_name": u.first_name, "last_name": u.last_name,
            "display_name": u.name, "image_url": None, "role": m.role, "last_active_at": iso(u.last_active_at),
            "status": "active", "is_owner": ws.owner_id == u.id, "joined_at": iso(m.created_at)}


def invite_as_member_out(inv: Invite) -> dict:
    return {"id": inv.id, "user_id": None, "email": inv.email, "first_name": None, "last_name": None,
            "image_url": None, "role": inv.role, "last_active_at": None, "status": "invited",
            "expires_at": iso(inv.expires_at)}


def invite_out(inv: Invite) -> dict:
    return {"id": inv.id, "email": inv.email, "role": inv.role, "status": invite_state(inv),
            "expires_at": iso(inv.expires_at), "invited_by": inv.invited_by, "created_at": iso(inv.created_at),
            "workspace_id": inv.workspace_id}


def invite(ws: Workspace, membership: Membership, inviter: User, data: dict, *, form: bool = False,
           base_url: str = "") -> tuple[Invite, str]:
    require_role(membership.role, "members.manage", "Only admins can invite members.")
    v = Validation(data, form=form)
    email = validate_email(v)
    role = v.require("role", str, choices=ROLES)
    v.raise_if_invalid()
    email = normalize_email(email)
    existing_user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if existing_user and db.session.scalar(select(Membership.id).filter_by(workspace_id=ws.id,
                                                                             user_id=existing_user.id)):
        raise Conflict(f"{email} is already a member of this workspace.", code="ALREADY_MEMBER")
    if any(i.email == email for i in _pending_invites(ws)):
        raise Conflict(f"{email} already has a pending invite.", code="INVITE_PENDING")
    limit = _seat_limit(ws)
    if seats_used(ws) >= limit:
        raise PaymentRequired(f"This workspace's plan allows {limit} seats (members and pending invites).",
                              code="SEAT_LIMIT_REACHED")
    token = new_invite_token()
    inv = Invite(workspace_id=ws.id, email=email, role=role, token_hash=sha256_hex(token),
                 expires_at=utcnow() + timedelta(days=current_app.config["INVITE_TTL_DAYS"]),
                 invited_by=inviter.id)
    db.session.add(inv)
    db.session.flush()
    accept_url = f"{base_url.rstrip('/')}/invites/{token}"
    outbox.send(kind="invite", to=email, workspace_id=ws.id,
                subject=f"{inviter.name} invited you to {ws.name} on OnePin",
                context={"workspace": ws, "inviter": inviter, "role": role, "accept_url": accept_url,
                         "token": token, "expires_at": inv.expires_at})
    activity.record(ws.id, inviter.id, "member_invited", "member.invited", "invite", inv.id, email,
                    data={"role": role})
    return inv, token


def get_invite(ws: Workspace, invite_id: str) -> Invite:
    inv = db.session.get(Invite, invite_id)
    if inv is None or inv.workspace_id != ws.id:
        raise NotFound("Invite not found.")
    return inv


def revoke_invite(ws: Workspace, membership: Membership, invite_id: str) -> None:
    require_role(membership.role, "members.manage", "Only admins can revoke invites.")
    inv = get_invite(ws, invite_id)
    if invite_state(inv) != "pending":
        raise NotFound("Invite not found or no longer pending.")
    inv.status = "revoked"
    activity.record(ws.id, membership.user_id, "settings_changed", "invite.revoked", "invite", inv.id, inv.email,
                    data={"role": inv.role})


def update_invite_role(ws: Workspace, membership: Membership, invite_id: str, data: dict, *,
                       form: bool = False) -> Invite:
    require_role(membership.role, "members.manage", "Only admins can change invites.")
    v = Validation(data, form=form)
    role = v.require("role", str, choices=ROLES)
    v.raise_if_invalid()
    inv = get_invite(ws, invite_id)
    if invite_state(inv) != "pending":
        raise Conflict(f"This invite is {invite_state(inv)}; only pending invites can change.",
                       code="INVITE_NOT_PENDING")
    if inv.role != role:
        activity.record(ws.id, membership.user_id, "settings_changed", "invite.role_changed", "invite", inv.id,
                        inv.email, data={"from": inv.role, "to": role})
    inv.role = role
    return inv


def find_invite_by_token(token: str) -> Invite | None:
    return db.session.scalar(select(Invite).where(Invite.token_hash == sha256_hex(token or "")))


def accept(token: str, user: User) -> Workspace:
    inv = find_invite_by_token(token)
    ws = db.session.get(Workspace, inv.workspace_id) if inv else None
    if inv is None or ws is None or ws.deleted_at is not None:
        raise NotFound("Invite not found.")
    if normalize_email(user.email) != inv.email:
        raise Forbidden("This invite was sent to another email address.", code="INVITE_EMAIL_MISMATCH")
    if db.session.scalar(select(Membership.id).filter_by(workspace_id=ws.id, user_id=user.id)):
        if inv.status == "pending":
            inv.status, inv.accepted_by, inv.accepted_at = "accepted", user.id, utcnow()
        return ws
    state = invite_state(inv)
    if state != "pending":
        raise Gone(f"This invite has been {state}.", code=f"INVITE_{state.upper()}")
    if len(_members(ws)) >= _seat_limit(ws):
        raise PaymentRequired("This workspace has no free seats.", code="SEAT_LIMIT_REACHED")
    db.session.add(Membership(workspace_id=ws.id, user_id=user.id, role=inv.role))
    inv.status, inv.accepted_by, inv.accepted_at = "accepted", user.id, utcnow()
    activity.record(ws.id, user.id, "member_invited", "invite.accepted", "invite", inv.id, inv.email,
                    data={"role": inv.role, "invited_by": inv.invited_by})
    db.session.flush()
    return ws


def get_member(ws: Workspace, member_id: str) -> Membership:
    m = db.session.get(Membership, member_id)
    if m is None or m.workspace_id != ws.id:
        raise NotFound("Member not found.")
    return m


def _admin_count(ws: Workspace) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.workspace_id == ws.id, Membership.role == "admin")) or 0


def update_role(ws: Workspace, membership: Membership, actor: User, member_id: str, data: dict, *,
                form: bool = False) -> Membership:
    require_role(membership.role, "members.manage", "Only admins can change roles.")
    v = Validation(data, form=form)
    role = v.require("role", str, choices=ROLES)
    v.raise_if_invalid()
    target = get_member(ws, member_id)
    if target.role == role:
        return target
    if target.user_id == ws.owner_id:
        raise Conflict("The workspace owner's role cannot change.", code="OWNER_PROTECTED")
    if target.role == "admin" and _admin_count(ws) <= 1:
        raise Conflict("A workspace needs at least one admin.", code="LAST_ADMIN")
    old = target.role
    target.role = role
    target.updated_at = utcnow()
    activity.record(ws.id, actor.id, "settings_changed", "member.role_changed", "member", target.id,
                    target.user.email, data={"from": old, "to": role})
    outbox.send(kind="role_changed", to=target.user.email, workspace_id=ws.id,
                subject=f"Your role in {ws.name} is now {role}",
                context={"workspace": ws, "actor": actor, "role": role, "old_role": old})
    return target


def remove(ws: Workspace, membership: Membership, actor: User, member_id: str) -> None:
    require_role(membership.role, "members.manage", "Only admins can remove members.")
    target = get_member(ws, member_id)
    if target.user_id == ws.owner_id:
        raise Conflict("The workspace owner cannot be removed.", code="OWNER_PROTECTED")
    if target.role == "admin" and _admin_count(ws) <= 1:
        raise Conflict("A workspace needs at least one admin.", code="LAST_ADMIN")
    user = target.user
    now = utcnow()
    for key in db.session.scalars(select(ApiKey).where(ApiKey.workspace_id == ws.id, ApiKey.user_id == user.id,
                                                       ApiKey.revoked_at.is_(None))):
        key.revoked_at = now
    db.session.delete(target)
    activity.record(ws.id, actor.id, "settings_changed", "member.removed", "member", member_id, user.email)
    outbox.send(kind="member_removed", to=user.email, workspace_id=ws.id,
                subject=f"You were removed from {ws.name}", context={"workspace": ws, "actor": actor})
