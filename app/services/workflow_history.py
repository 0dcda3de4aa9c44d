"""A workflow's version history as the editor shows it, and "restore as new version": an old
version's definition saved again as the newest version (history is never rewritten)."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.permissions import require_role
from app.errors import NotFound
from app.extensions import db
from app.models import Membership, User, Workflow, WorkflowVersion
from app.models.base import utcnow
from app.services import workflows as wf_svc


def current_number(wf: Workflow) -> int | None:
    if wf.current_version_id is None:
        return None
    v = db.session.get(WorkflowVersion, wf.current_version_id)
    return v.number if v is not None else None


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
