"""A workflow's version history as the editor shows it, "restore as new version" (an old version's
definition saved again as the newest version: history is never rewritten), and the editor's guard
against saving over someone else's save (check_base)."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.permissions import require_role
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import Membership, User, Workflow, WorkflowVersion, iso
from app.models.base import utcnow
from app.services import workflows as wf_svc


def current_number(wf: Workflow) -> int | None:
    if wf.current_version_id is None:
        return None
    v = db.session.get(WorkflowVersion, wf.current_version_id)
    return v.number if v is not None else None


def latest(wf: Workflow, user: User | None = None) -> dict | None:
    """The current version as a conflict message names it: number, when, by whom (by_you when `user`)."""
    row = db.session.execute(
        select(WorkflowVersion.number, WorkflowVersion.note, WorkflowVersion.created_at, WorkflowVersion.created_by,
               User.display_name, User.email)
        .outerjoin(User, User.id == WorkflowVersion.created_by)
        .where(WorkflowVersion.id == wf.current_version_id)).first() if wf.current_version_id else None
    if row is None:
        return None
    return {"number": row.number, "note": row.note, "at": iso(row.created_at), "by": row.display_name or row.email,
            "by_you": user is not None and row.created_by == user.id}


class EditConflict(Conflict):
    """Someone saved the workflow after the version the editor started from: nothing was written."""

    def __init__(self, latest_version: dict | None):
        self.latest = latest_version
        n = latest_version and latest_version["number"]
        super().__init__(f"This workflow was changed elsewhere since you opened it (it is now at version {n}). "
                         "Nothing was saved.", code="EDIT_CONFLICT",
                         details=[{"field": "base_version", "message": f"is not the latest version ({n})"}])


def check_base(wf: Workflow, membership: Membership, user: User, data: dict) -> str | None:
    """Optimistic concurrency for the editor's saves. Locks the workflow's row until the transaction
    ends (so no other editor save can slip in between this check and the write), then compares its
    current version with data["base_version"], the version the editor loaded or last saved: a
    different one means someone saved since (another tab, the API, the CLI) and raises EditConflict.
    data["force"] (the editor's "keep mine") skips the comparison; the save is still a new version, so
    what it replaces stays in the history. Answers the note for that new version."""
    require_role(membership.role, "content.write", "Viewers cannot edit workflows.")
    force = data.get("force") is True
    base = data.get("base_version")
    if not force and ("base_version" not in data or isinstance(base, bool) or not isinstance(base, (int, type(None)))):
        raise ValidationFailed([{"field": "base_version", "message": "send the version the editor started from"}])
    db.session.refresh(wf, with_for_update=True)
    if wf.deleted_at is not None:
        raise NotFound("Workflow not found.")
    current = current_number(wf)
    if force:
        return None if base == current else f"edited, kept over version {current}"
    if base != current:
        raise EditConflict(latest(wf, user))
    return None


def listing(wf: Workflow, limit: int = 100) -> list[dict]:
    rows = db.session.execute(
        select(WorkflowVersion.id, WorkflowVersion.number, WorkflowVersion.note, WorkflowVersion.created_at,
               WorkflowVersion.created_by, User.display_name, User.email)
        .outerjoin(User, User.id == WorkflowVersion.created_by)
        .where(WorkflowVersion.workflow_id == wf.id)
        .order_by(WorkflowVersion.number.desc()).limit(limit)).all()
    return [{"number": r.number, "note": r.note, "created_at": r.created_at, "current": r.id == wf.current_version_id,
             "by": r.display_name or r.email} for r in rows]


def restore(wf: Workflow, membership: Membership, user: User, number: int) -> WorkflowVersion:
    """Write version `number`'s definition as a new version (even when it equals the current one,
    so the history shows the restore)."""
    require_role(membership.role, "content.write", "Viewers cannot restore versions.")
    old = db.session.scalar(select(WorkflowVersion).where(WorkflowVersion.workflow_id == wf.id,
                                                          WorkflowVersion.number == number))
    if old is None:
        raise NotFound("Version not found.")
    wf.definition = wf_svc.checked_definition(old.definition)
    wf.updated_at = utcnow()
    return wf_svc._write_version(wf, user, f"restored from version {number}")
