"""Workspaces: create, update, soft delete, slugs and settings."""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.auth.permissions import require_role
from app.errors import Conflict, NotFound, PaymentRequired
from app.extensions import db
from app.models import ApiKey, Invite, Membership, User, Workspace, WorkspaceSettings
from app.models.base import utcnow
from app.services import activity
from app.services.plans import get_plan
from app.validation import Validation

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 50
RESERVED_SLUGS = frozenset({
    "api", "app", "admin", "auth", "billing", "dashboard", "docs", "help", "invite", "invites", "login",
    "logout", "me", "new", "onepin", "root", "settings", "signup", "static", "support", "system", "w",
    "workspace", "workspaces", "www", "_storage",
})
DEFAULT_SETTINGS = {"default_language": "en-us", "theme": "system"}


def normalize_slug(slug: str) -> str:
    return (slug or "").strip().lower()


def slug_problem(slug: str, *, exclude_id: str | None = None) -> str | None:
    """invalid | reserved | taken | None (first failing check in that order)."""
    if not slug or len(slug) > SLUG_MAX or not SLUG_RE.match(slug):
        return "invalid"
    if slug in RESERVED_SLUGS:
        return "reserved"
    q = select(Workspace.id).where(Workspace.slug_active == slug)
    if exclude_id:
        q = q.where(Workspace.id != exclude_id)
    if db.session.scalar(q):
        return "taken"
    return None


_SLUG_MESSAGES = {"invalid": "must be lowercase kebab-case (a-z, 0-9 and single hyphens), 1-50 characters",
                  "reserved": "is a reserved word"}


def _slugify(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:SLUG_MAX].strip("-") or "workspace"
    candidate, n = base, 2
    while slug_problem(candidate):
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX - len(suffix)].strip("-") + suffix
        n += 1
    return candidate


def _check_slug(v: Validation, slug: str | None, exclude_id: str | None = None) -> str | None:
    if slug is None:
        return None
    slug = normalize_slug(slug)
    problem = slug_problem(slug, exclude_id=exclude_id)
    if problem in _SLUG_MESSAGES:
        v.error("slug", _SLUG_MESSAGES[problem])
        return None
    if problem == "taken" and v.ok:
        raise Conflict("This slug is already taken.", code="WORKSPACE_SLUG_TAKEN",
                       details=[{"field": "slug", "message": "is already taken"}])
    return slug


def owned_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Workspace).where(
        Workspace.owner_id == user.id, Workspace.deleted_at.is_(None))) or 0


def create(user: User, data: dict, *, form: bool = False, enforce_plan: bool = True) -> Workspace:
    v = Validation(data, form=form)
    name = v.require("name", str, max_len=100)
    color = v.optional("color_idx", int, default=0, minimum=0, maximum=6, nullable=False)
    slug_in = v.optional("slug", str, nullable=False)
    if form and slug_in == "":
        slug_in = None
    slug = _check_slug(v, slug_in) if slug_in is not None else None
    v.raise_if_invalid()
    plan = get_plan(user.plan)
    if enforce_plan and owned_count(user) >= plan.workspaces_per_owner:
        raise PaymentRequired(f"Your {plan.name} plan allows {plan.workspaces_per_owner} workspaces.",
                              code="PLAN_LIMIT_REACHED")
    slug = slug or _slugify(name)
    ws = Workspace(name=name, slug=slug, slug_active=slug, color_idx=color or 0, owner_id=user.id,
                   created_by=user.id)
    try:
        with db.session.begin_nested():          # a concurrent create may win the slug first
            db.session.add(ws)
            db.session.flush()
    except IntegrityError:
        raise Conflict("This slug is already taken.", code="WORKSPACE_SLUG_TAKEN",
                       details=[{"field": "slug", "message": "is already taken"}]) from None
    db.session.add(Membership(workspace_id=ws.id, user_id=user.id, role="admin"))
    db.session.flush()
    return ws


def update(ws: Workspace, membership: Membership, user: User, data: dict, *, form: bool = False) -> Workspace:
    if membership.role != "admin":
        raise NotFound("Workspace not found.")
    v = Validation(data, form=form)
    changes = {}
    if v.present("name"):
        changes["name"] = v.optional("name", str, nullable=False, min_len=1, max_len=100)
    if v.present("color_idx"):
        changes["color_idx"] = v.optional("color_idx", int, nullable=False, minimum=0, maximum=6)
    if v.present("routing_price_sensitivity"):
        changes["routing_price_sensitivity"] = v.optional("routing_price_sensitivity", float, nullable=False,
                                                          minimum=0.0, maximum=1.0)
    if v.present("routing_llm_fit"):
        changes["routing_llm_fit"] = v.optional("routing_llm_fit", bool, nullable=False)
    if v.present("slug"):
        raw = v.optional("slug", str, nullable=False)
        if raw is not None:
            changes["slug"] = _check_slug(v, raw, exclude_id=ws.id)
    v.raise_if_invalid()
    changed = [k for k, val in changes.items() if getattr(ws, k) != val]
    for key in changed:
        setattr(ws, key, changes[key])
        if key == "slug":
            ws.slug_active = changes[key]
    if changed:
        ws.updated_at = utcnow()
        activity.record(ws.id, user.id, "settings_changed", "workspace.updated", "workspace", ws.id, ws.name,
                        data={"fields": sorted(changed)})
    return ws


def delete(ws: Workspace, user: User) -> None:
    """Owner only (anyone else: 404). Soft delete; keys stop working; invites are revoked."""
    if ws.owner_id != user.id:
        raise NotFound("Workspace not found.")
    now = utcnow()
    ws.deleted_at = now
    ws.slug_active = None
    for key in db.session.scalars(select(ApiKey).where(ApiKey.workspace_id == ws.id, ApiKey.revoked_at.is_(None))):
        key.revoked_at = now
    for inv in db.session.scalars(select(Invite).where(Invite.workspace_id == ws.id, Invite.status == "pending")):
        inv.status = "revoked"


def list_for_user(user: User, offset: int = 0, limit: int = 50) -> list[Workspace]:
    q = (select(Workspace).join(Membership, Membership.workspace_id == Workspace.id)
         .where(Membership.user_id == user.id, Workspace.deleted_at.is_(None))
         .order_by(Workspace.created_at.asc(), Workspace.id.asc()).offset(offset).limit(limit))
    return list(db.session.scalars(q))


def memberships_for_user(user: User) -> list[tuple[Workspace, Membership]]:
    q = (select(Workspace, Membership).join(Membership, Membership.workspace_id == Workspace.id)
         .where(Membership.user_id == user.id, Workspace.deleted_at.is_(None))
         .order_by(Workspace.name.asc(), Workspace.id.asc()))
    return [(w, m) for w, m in db.session.execute(q)]


def settings(ws: Workspace) -> WorkspaceSettings:
    s = db.session.get(WorkspaceSettings, ws.id)
    if s is None:
        s = WorkspaceSettings(workspace_id=ws.id, **DEFAULT_SETTINGS)
        db.session.add(s)
        db.session.flush()
    return s


def update_settings(ws: Workspace, membership: Membership, user: User, data: dict, *, form: bool = False):
    require_role(membership.role, "workspace.update")
    s = settings(ws)
    v = Validation(data, form=form)
    lang = v.optional("default_language", str, default=s.default_language, max_len=20)
    theme = v.optional("theme", str, default=s.theme, choices=("system", "light", "dark"))
    v.raise_if_invalid()
    if (lang, theme) != (s.default_language, s.theme):
        s.default_language, s.theme = lang, theme
        activity.record(ws.id, user.id, "settings_changed", "workspace.settings_updated", "workspace", ws.id,
                        ws.name)
    return s


def slug_availability(ws: Workspace, membership: Membership, slug: str) -> dict:
    """Is `slug` free for this workspace (its own slug never reads as taken)? Admins only."""
    require_role(membership.role, "workspace.update", "Only admins can change the workspace slug.")
    problem = slug_problem(normalize_slug(slug), exclude_id=ws.id)
    return {"available": problem is None, **({"reason": problem} if problem else {})}


def workspace_out(ws: Workspace) -> dict:
    from app.models import iso
    return {
        "id": ws.id, "name": ws.name, "slug": ws.slug, "color_idx": ws.color_idx, "created_by": ws.created_by,
        "organization_id": None, "created_at": iso(ws.created_at), "updated_at": iso(ws.updated_at),
        "routing_price_sensitivity": float(ws.routing_price_sensitivity), "routing_llm_fit": bool(ws.routing_llm_fit),
        "owner_id": ws.owner_id,
    }


def settings_out(s: WorkspaceSettings) -> dict:
    return {"default_language": s.default_language, "theme": s.theme}
