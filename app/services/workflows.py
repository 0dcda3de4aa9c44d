"""Workflows: create, read, replace, patch, soft delete, duplicate; every save writes an immutable
WorkflowVersion. Definitions are checked by the one validator (app.workflows.validation)."""
from __future__ import annotations

import copy
import json
import unicodedata

from sqlalchemy import exists, false, func, not_, or_, select

from app.auth.permissions import require_role
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import Membership, Run, User, Workflow, WorkflowVersion, Workspace, iso
from app.models.base import utcnow
from app.validation import Validation
from app.workflows.config_migrations import migrate_definition
from app.workflows.definition import normalize_definition
from app.workflows.validation import split, validate_definition

PLACEHOLDER_NAME = "Untitled workflow"
NAME_MAX = 200
EMPTY_DEFINITION = {"graph": {"nodes": [], "edges": []}}


def check_name(v: Validation, field: str = "name", *, required: bool) -> str | None:
    name = v.require(field, str, max_len=NAME_MAX) if required else v.optional(field, str, nullable=False,
                                                                                 max_len=NAME_MAX)
    if name is not None:
        if not name:
            v.error(field, "may not be blank")
            return None
        if any(unicodedata.category(ch) == "Cc" for ch in name):
            v.error(field, "may not contain control characters")
            return None
    return name


def catalog():
    from app.workflows.catalog import default_catalog
    return default_catalog()


def checked_definition(value, field: str = "definition") -> dict:
    """A definition ready to store (normalized, configs migrated), or ValidationFailed with every problem."""
    if value is None:
        raise ValidationFailed([{"field": field, "message": "may not be null"}])
    if not isinstance(value, dict):
        raise ValidationFailed([{"field": field, "message": "must be an object with graph and execution"}])
    errors, _warnings = split(validate_definition(value, catalog()))
    if errors:
        details = []
        for p in errors:
            d = p.to_dict()
            d["field"] = f"{field}.{p.field}" if p.field else field
            details.append(d)
        raise ValidationFailed(details, message=f"The workflow definition has {len(errors)} problem"
                                                f"{'s' if len(errors) != 1 else ''}: " + "; ".join(
                                                    p.message for p in errors[:5]))
    defn = migrate_definition(normalize_definition(copy.deepcopy(value)))
    defn.setdefault("graph", {}).setdefault("nodes", [])
    defn["graph"].setdefault("edges", [])
    return defn


def _write_version(wf: Workflow, user: User | None, note: str | None = None) -> WorkflowVersion:
    number = (db.session.scalar(select(func.max(WorkflowVersion.number))
                                .where(WorkflowVersion.workflow_id == wf.id)) or 0) + 1
    version = WorkflowVersion(workflow_id=wf.id, workspace_id=wf.workspace_id, number=number, name=wf.name,
                              definition=copy.deepcopy(wf.definition), created_by=user.id if user else None,
                              note=note)
    db.session.add(version)
    db.session.flush()
    wf.current_version_id = version.id
    return version


def get(ws: Workspace, workflow_id: str) -> Workflow:
    """A live workflow of this workspace, else 404 (another workspace's id is a 404 too)."""
    wf = db.session.get(Workflow, workflow_id) if isinstance(workflow_id, str) and len(workflow_id) <= 36 else None
    if wf is None or wf.workspace_id != ws.id or wf.deleted_at is not None:
        raise NotFound("Workflow not found.")
    return wf


def create(ws: Workspace, membership: Membership, user: User, data: dict, *, form: bool = False,
           note: str | None = None) -> Workflow:
    require_role(membership.role, "content.write", "Viewers cannot create workflows.")
    v = Validation(data, form=form)
    name = check_name(v, required=False) if v.present("name") else None
    description = v.optional("description", str, max_len=5000)
    v.raise_if_invalid()
    defn = checked_definition(data["definition"]) if data.get("definition") is not None else copy.deepcopy(EMPTY_DEFINITION)
    if data.get("definition", 0) is None:
        raise ValidationFailed([{"field": "definition", "message": "may not be null"}])
    wf = Workflow(workspace_id=ws.id, user_id=user.id, name=name or PLACEHOLDER_NAME,
                  name_source="user" if name else "placeholder", description=description, definition=defn)
    db.session.add(wf)
    db.session.flush()
    _write_version(wf, user, note or "created")
    return wf


def replace(wf: Workflow, membership: Membership, user: User, data: dict) -> Workflow:
    """PUT: name and definition required, description optional (null clears)."""
    require_role(membership.role, "content.write", "Viewers cannot edit workflows.")
    v = Validation(data)
    name = check_name(v, required=True)
    description = v.optional("description", str, max_len=5000)
    if "definition" not in data:
        v.error("definition", "is required")
    v.raise_if_invalid()
    defn = checked_definition(data["definition"])
    wf.name, wf.name_source, wf.description, wf.definition = name, "user", description, defn
    wf.updated_at = utcnow()
    _write_version(wf, user, "replaced")
    return wf


def patch(wf: Workflow, membership: Membership, user: User, data: dict, *, note: str | None = None) -> Workflow:
    """PATCH: at least one of name/description/definition; whatever GET returned is accepted back.
    `note` is the new version's note ("edited" unless told)."""
    require_role(membership.role, "content.write", "Viewers cannot edit workflows.")
    v = Validation(data)
    fields = [f for f in ("name", "description", "definition") if f in data]
    if not fields:
        v.error(None, "send at least one of name, description, definition")
    name = check_name(v, required=False) if "name" in data else None
    description = v.optional("description", str, max_len=5000) if "description" in data else None
    v.raise_if_invalid()
    defn = checked_definition(data["definition"]) if "definition" in data else None
    changed = False
    if "name" in data and (name != wf.name or wf.name_source != "user"):
        wf.name, wf.name_source, changed = name, "user", True
    if "description" in data and description != wf.description:
        wf.description, changed = description, True
    if defn is not None and _canonical(defn) != _canonical(wf.definition):
        wf.definition, changed = defn, True
    if changed:
        wf.updated_at = utcnow()
        _write_version(wf, user, note or "edited")
    return wf


def _canonical(defn: dict) -> str:
    return json.dumps(defn, sort_keys=True, separators=(",", ":"))


def delete(wf: Workflow, membership: Membership) -> None:
    require_role(membership.role, "content.write", "Viewers cannot delete workflows.")
    wf.deleted_at = utcnow()


def duplicate(wf: Workflow, membership: Membership, user: User) -> Workflow:
    require_role(membership.role, "content.write", "Viewers cannot duplicate workflows.")
    copy_ = Workflow(workspace_id=wf.workspace_id, user_id=user.id, name=(wf.name + " (Copy)")[:NAME_MAX],
                     name_source="user", description=wf.description, definition=copy.deepcopy(wf.definition))
    db.session.add(copy_)
    db.session.flush()
    _write_version(copy_, user, f"duplicated from {wf.id}")
    return copy_


def versions(wf: Workflow) -> list[WorkflowVersion]:
    return list(db.session.scalars(select(WorkflowVersion).where(WorkflowVersion.workflow_id == wf.id)
                                   .order_by(WorkflowVersion.number.desc())))


# ---- read models -------------------------------------------------------------------------------

def run_stats(workflow_ids: list[str]) -> dict[str, dict]:
    """runs_count, last_run_at, last_run_status and run_status_counts per workflow."""
    stats = {wid: {"runs_count": 0, "last_run_at": None, "last_run_status": None,
                   "run_status_counts": {s: 0 for s in ("pending", "running", "completed", "failed",
                                                        "cancelled", "paused")}} for wid in workflow_ids}
    if not workflow_ids:
        return stats
    for wid, status, n in db.session.execute(select(Run.workflow_id, Run.status, func.count())
                                             .where(Run.workflow_id.in_(workflow_ids))
                                             .group_by(Run.workflow_id, Run.status)):
        stats[wid]["run_status_counts"][status] = n
        stats[wid]["runs_count"] += n
    latest = (select(Run.workflow_id, Run.status, Run.created_at,
                     func.row_number().over(partition_by=Run.workflow_id,
                                            order_by=(Run.created_at.desc(), Run.run_number.desc())).label("rn"))
              .where(Run.workflow_id.in_(workflow_ids)).subquery())
    for wid, status, created in db.session.execute(select(latest.c.workflow_id, latest.c.status,
                                                          latest.c.created_at).where(latest.c.rn == 1)):
        stats[wid]["last_run_status"] = status
        stats[wid]["last_run_at"] = iso(created)
    return stats


def workflow_out(wf: Workflow, stats: dict | None = None, *, include_definition: bool = True) -> dict:
    stats = stats if stats is not None else run_stats([wf.id])[wf.id]
    out = {"id": wf.id, "user_id": wf.user_id, "name": wf.name, "name_source": wf.name_source,
           "description": wf.description, "workspace_id": wf.workspace_id,
           "created_at": iso(wf.created_at), "updated_at": iso(wf.updated_at),
           "version_id": wf.current_version_id, **stats}
    if include_definition:
        out["definition"] = migrate_definition(copy.deepcopy(wf.definition or EMPTY_DEFINITION))
    return out


LIST_SORTS = {"name": "asc", "updated_at": "desc", "runs_count": "desc"}
LIST_STATUSES = ("draft", "running", "completed", "failed", "paused")


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_workflows(ws: Workspace, *, status: str | None = None, search: str | None = None,
                   sort: list[str] | None = None, order: list[str] | None = None, last_run_after=None,
                   last_run_before=None, has_failed_run: bool | None = None, offset: int = 0,
                   limit: int = 50) -> tuple[list[Workflow], int]:
    """A page of the workspace's workflows and the total matching the filters.

    Status buckets come from the LATEST run: draft = no runs; running = latest pending, running or
    paused; completed / failed = latest completed / failed (a cancelled latest run is in neither);
    paused is accepted and matches nothing.
    """
    agg = (select(Run.workflow_id.label("wid"), func.count().label("runs_count"),
                  func.max(Run.created_at).label("last_run_at"))
           .where(Run.workspace_id == ws.id).group_by(Run.workflow_id).subquery())
    ranked = (select(Run.workflow_id.label("wid"), Run.status.label("status"),
                     func.row_number().over(partition_by=Run.workflow_id,
                                            order_by=(Run.created_at.desc(), Run.run_number.desc())).label("rn"))
              .where(Run.workspace_id == ws.id).subquery())
    latest = select(ranked.c.wid, ranked.c.status).where(ranked.c.rn == 1).subquery()
    q = (select(Workflow).outerjoin(agg, agg.c.wid == Workflow.id).outerjoin(latest, latest.c.wid == Workflow.id)
         .where(Workflow.workspace_id == ws.id, Workflow.deleted_at.is_(None)))
    if status == "draft":
        q = q.where(agg.c.wid.is_(None))
    elif status == "running":
        q = q.where(latest.c.status.in_(("pending", "running", "paused")))
    elif status in ("completed", "failed"):
        q = q.where(latest.c.status == status)
    elif status == "paused":
        q = q.where(false())
    if search:
        pattern = _like(search.strip().lower())
        q = q.where(or_(func.lower(Workflow.name).like(pattern, escape="\\"),
                        func.lower(func.coalesce(Workflow.description, "")).like(pattern, escape="\\")))
    if last_run_after is not None:
        q = q.where(agg.c.last_run_at >= last_run_after)
    if last_run_before is not None:
        q = q.where(agg.c.last_run_at <= last_run_before)
    if has_failed_run is not None:
        failed = exists(select(Run.id).where(Run.workflow_id == Workflow.id, Run.status == "failed"))
        q = q.where(failed if has_failed_run else not_(failed))
    total = db.session.scalar(select(func.count()).select_from(q.subquery()))
    columns = {"name": func.lower(Workflow.name), "updated_at": Workflow.updated_at,
               "runs_count": func.coalesce(agg.c.runs_count, 0)}
    sort = list(sort or [])
    order = list(order or [])
    clauses = []
    for i, field in enumerate(sort):
        direction = order[i] if i < len(order) else LIST_SORTS[field]
        clauses.append(columns[field].asc() if direction == "asc" else columns[field].desc())
    if not sort:
        clauses.append(Workflow.updated_at.desc())
    clauses.append(Workflow.id.asc())
    rows = list(db.session.scalars(q.order_by(*clauses).offset(offset).limit(limit)))
    return rows, int(total or 0)
