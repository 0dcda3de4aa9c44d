"""Templates: workspace drafts, the public gallery (published snapshots), starters, favourites, clone.

Visibility (seed): a template is visible to a caller when it is not deleted and either belongs to
one of the caller's workspaces (they see the live *draft*) or is a starter / has a published
snapshot (they see the *published* snapshot: definition, name and description as published).
Anything else is a 404, identical to a missing id. Writes (update, delete) on a visible template
of another workspace or on a starter are 403.

"The caller's workspaces": an API key acts in its own workspace; a browser session acts in the
X-Workspace-Id workspace, or (for per-user calls sent without one) in every workspace it belongs to.

Publishing (no SDK endpoint exists): the owner PATCHes `{"is_public": true}`, which copies the
current draft (definition, name, description) into the published snapshot; sending it again
re-publishes the current draft. `{"is_public": false}` withdraws it from the gallery. Later draft
edits never reach the gallery until published again.
"""
from __future__ import annotations

import copy

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy import update as sql_update

from app.auth.permissions import require_role
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.models import Membership, Template, TemplateFavorite, Workspace, iso
from app.models.base import utcnow
from app.services import workflows as wf_svc
from app.validation import Validation
from app.workflows.config_migrations import migrate_definition

CATEGORIES = ("media", "creative", "business", "education", "wellness")
GALLERY_SORTS = ("recent", "popular", "name")
MY_SORTS = ("recent", "name", "uses", "popular")
_checked_starters = {"done": False}


def ensure_starters_lazily() -> None:
    """Seed the starters on the first templates request of a process, or when one is missing."""
    from app.workflows.starters import ensure_starters, starter_keys
    if _checked_starters["done"]:
        n = db.session.scalar(select(func.count()).select_from(Template).where(
            Template.is_starter.is_(True), Template.deleted_at.is_(None)))
        if n >= len(starter_keys()):
            return
    ensure_starters(commit=True)
    _checked_starters["done"] = True


# ---- visibility --------------------------------------------------------------------------------

def _public():
    return or_(Template.is_starter.is_(True), Template.published_definition.is_not(None))


def find(template_id: str, own_ws_ids: set[str]) -> Template:
    """A visible template, else 404."""
    t = db.session.get(Template, template_id) if isinstance(template_id, str) and len(template_id) <= 36 else None
    if t is None or t.deleted_at is not None or not (is_own(t, own_ws_ids) or is_public(t)):
        raise NotFound("Template not found.")
    return t


def is_own(t: Template, own_ws_ids: set[str]) -> bool:
    return t.workspace_id is not None and t.workspace_id in own_ws_ids and not t.is_starter


def is_public(t: Template) -> bool:
    return t.is_starter or t.published_definition is not None


def snapshot_for(t: Template, own_ws_ids: set[str]) -> str:
    return "draft" if is_own(t, own_ws_ids) else "published"


def _owned_for_write(t: Template, ws: Workspace, membership: Membership, verb: str) -> None:
    """403 for starters and other workspaces' templates; then the editor role."""
    if t.is_starter:
        raise Forbidden(f"Starter templates are read-only: they cannot be {verb}.")
    if t.workspace_id != ws.id:
        raise Forbidden(f"Only the workspace that owns this template can have it {verb}.")
    require_role(membership.role, "content.write", "Viewers cannot change templates.")


# ---- read model --------------------------------------------------------------------------------

def favorite_ids(user_id: str, template_ids: list[str]) -> set[str]:
    if not template_ids:
        return set()
    return set(db.session.scalars(select(TemplateFavorite.template_id).where(
        TemplateFavorite.user_id == user_id, TemplateFavorite.template_id.in_(template_ids))))


def template_out(t: Template, snapshot: str, is_favorite: bool | None = None) -> dict:
    if snapshot == "published" and t.published_definition is not None:
        defn, name, desc = t.published_definition, t.published_name or t.name, t.published_description
    else:
        defn, name, desc = t.definition, t.name, t.description
    return {
        "id": t.id, "name": name, "description": desc, "category": t.category,
        "definition": migrate_definition(copy.deepcopy(defn or wf_svc.EMPTY_DEFINITION)),
        "is_starter": bool(t.is_starter), "is_public": is_public(t), "is_favorite": bool(is_favorite),
        "uses_count": t.uses_count, "created_by": t.created_by,
        "created_at": iso(t.created_at), "updated_at": iso(t.updated_at),
    }


def outs(rows: list[Template], user_id: str, own_ws_ids: set[str]) -> list[dict]:
    favs = favorite_ids(user_id, [t.id for t in rows])
    return [template_out(t, snapshot_for(t, own_ws_ids), t.id in favs) for t in rows]


# ---- lists -------------------------------------------------------------------------------------

def _filters(q, *, categories, search, favorites_only, user_id, name_col, desc_col):
    if categories:
        q = q.where(Template.category.in_(categories))
    if search and search.strip():
        pattern = wf_svc._like(search.strip().lower())
        q = q.where(or_(func.lower(name_col).like(pattern, escape="\\"),
                        func.lower(func.coalesce(desc_col, "")).like(pattern, escape="\\")))
    if favorites_only:
        q = q.where(select(TemplateFavorite.template_id).where(
            TemplateFavorite.user_id == user_id, TemplateFavorite.template_id == Template.id).exists())
    return q


def list_gallery(user_id: str, *, categories=(), search=None, sort="recent", favorites_only=False,
                 offset=0, limit=50) -> tuple[list[Template], bool]:
    """The public gallery across all workspaces (starters + published); (page, has_more)."""
    name_col = case((Template.published_definition.is_not(None), func.coalesce(Template.published_name, Template.name)),
                    else_=Template.name)
    desc_col = case((Template.published_definition.is_not(None), Template.published_description),
                    else_=Template.description)
    q = select(Template).where(Template.deleted_at.is_(None), _public())
    q = _filters(q, categories=categories, search=search, favorites_only=favorites_only, user_id=user_id,
                 name_col=name_col, desc_col=desc_col)
    order = {"recent": (Template.published_at.desc().nulls_last(), Template.created_at.desc()),
             "popular": (Template.uses_count.desc(), func.lower(name_col).asc()),
             "name": (func.lower(name_col).asc(), Template.created_at.desc())}[sort or "recent"]
    rows = list(db.session.scalars(q.order_by(*order, Template.id).offset(offset).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def list_mine(ws: Workspace, user_id: str, *, categories=(), search=None, sort="recent", favorites_only=False,
              offset=0, limit=50) -> tuple[list[Template], bool]:
    """Templates the caller created in this workspace (no starters, no other members')."""
    q = select(Template).where(Template.deleted_at.is_(None), Template.workspace_id == ws.id,
                               Template.created_by == user_id, Template.is_starter.is_(False))
    q = _filters(q, categories=categories, search=search, favorites_only=favorites_only, user_id=user_id,
                 name_col=Template.name, desc_col=Template.description)
    order = {"recent": (Template.updated_at.desc(),),
             "name": (func.lower(Template.name).asc(), Template.updated_at.desc()),
             "uses": (Template.uses_count.desc(), func.lower(Template.name).asc()),
             "popular": (Template.uses_count.desc(), func.lower(Template.name).asc())}[sort or "recent"]
    rows = list(db.session.scalars(q.order_by(*order, Template.id).offset(offset).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


# ---- writes ------------------------------------------------------------------------------------

def _check_fields(v: Validation, data: dict, *, creating: bool) -> dict:
    out = {}
    if creating or "name" in data:
        out["name"] = wf_svc.check_name(v, required=True)
    if "description" in data:
        out["description"] = v.optional("description", str, max_len=5000)
    if "category" in data:
        out["category"] = v.optional("category", str, choices=CATEGORIES)
    if "is_public" in data:
        is_public_ = v.optional("is_public", bool, nullable=False)   # checked on create too: "yes" is no boolean
        if not creating:
            out["is_public"] = is_public_
    v.raise_if_invalid()
    if "definition" in data:
        out["definition"] = wf_svc.checked_definition(data["definition"])
    return out


def create(ws: Workspace, membership: Membership, user, data: dict) -> Template:
    """A workspace-private template (is_public false until its owner publishes it)."""
    require_role(membership.role, "content.write", "Viewers cannot create templates.")
    fields = _check_fields(Validation(data), data, creating=True)
    t = Template(workspace_id=ws.id, created_by=user.id, name=fields["name"],
                 description=fields.get("description"), category=fields.get("category"),
                 definition=fields.get("definition") or copy.deepcopy(wf_svc.EMPTY_DEFINITION))
    db.session.add(t)
    db.session.flush()
    return t


def update(t: Template, ws: Workspace, membership: Membership, data: dict) -> Template:
    """PATCH the draft (definition is a full replace); `is_public` publishes / unpublishes."""
    _owned_for_write(t, ws, membership, "edited")
    v = Validation(data)
    if not any(k in data for k in ("name", "description", "category", "definition", "is_public")):
        v.error(None, "send at least one of name, description, category, definition, is_public")
    fields = _check_fields(v, data, creating=False)
    publish = fields.pop("is_public", None)
    changed = False
    for key, value in fields.items():
        if getattr(t, key) != value or (key == "definition" and wf_svc._canonical(value) != wf_svc._canonical(t.definition)):
            setattr(t, key, value)
            changed = True
    if publish is True:
        t.published_definition = copy.deepcopy(t.definition)
        t.published_name, t.published_description = t.name, t.description
        t.published_at = utcnow()
        changed = True
    elif publish is False and t.published_definition is not None:
        t.published_definition = t.published_name = t.published_description = None
        t.published_at = None
        changed = True
    if changed:
        t.updated_at = utcnow()
    return t


def delete(t: Template, ws: Workspace, membership: Membership) -> None:
    _owned_for_write(t, ws, membership, "deleted")
    t.deleted_at = utcnow()


def clone(t: Template, ws: Workspace, membership: Membership, user, data: dict):
    """A new workflow in the caller's workspace: the draft when the template is this workspace's,
    else the published snapshot. Blank/omitted name -> the template's own name (SDK 0.16.1)."""
    require_role(membership.role, "content.write", "Viewers cannot clone templates.")
    v = Validation(data)
    name = v.optional("name", str, max_len=wf_svc.NAME_MAX)
    v.raise_if_invalid()
    same_ws = t.workspace_id == ws.id and not t.is_starter
    snap = "draft" if same_ws else "published"
    out = template_out(t, snap)
    wf = wf_svc.create(ws, membership, user, {"name": (name or "").strip() or out["name"],
                                              "description": out["description"],
                                              "definition": out["definition"]},
                       note=f"cloned from template {t.id}")
    db.session.execute(sql_update(Template).where(Template.id == t.id)
                       .values(uses_count=Template.uses_count + 1).execution_options(synchronize_session=False))
    from app.services import activity
    activity.record(ws.id, user.id, "template_applied", "template.cloned", "workflow", wf.id, wf.name,
                    data={"template_id": t.id, "snapshot": snap})
    return wf


def favorite(t: Template, user_id: str) -> None:
    exists = db.session.get(TemplateFavorite, (user_id, t.id))
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(TemplateFavorite(user_id=user_id, template_id=t.id))
        except Exception:  # noqa: BLE001 - a concurrent favourite of the same template
            pass


def unfavorite(template_id: str, user_id: str) -> None:
    if not isinstance(template_id, str) or len(template_id) > 36:
        return
    db.session.execute(TemplateFavorite.__table__.delete().where(and_(
        TemplateFavorite.user_id == user_id, TemplateFavorite.template_id == template_id)))
