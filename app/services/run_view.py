"""What the run page shows about a run as a whole: who may do what, the status as the contract
defines it (with "pausing" while a wave drains), progress, versions, and takes counted per node
and locale. The lines table lives in run_lines, the graph drawing in run_graph."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from app.auth.permissions import role_allows
from app.errors import NotFound
from app.extensions import db
from app.models import ACTIVE, TERMINAL, Membership, Run, Take, User, Workflow, WorkflowVersion, Workspace
from app.services.run_data import SINK_TYPES, graph_nodes, node_label
from app.workflows.nodes import is_validator

PHASES = {
    "pending": ("Pending", "Waiting for a worker to start the run."),
    "running": ("Running", "Lines are being generated and checked."),
    "pausing": ("Pausing", "The current wave is finishing; the run parks when it has drained."),
    "paused": ("Paused", "Nothing new starts until the run is resumed."),
    "completed": ("Completed", "Every line has been delivered or dropped."),
    "failed": ("Failed", "No line was delivered."),
    "cancelled": ("Cancelled", "The run was stopped; unfinished work was abandoned."),
}


@dataclass
class RunAccess:
    run: Run
    workflow: Workflow
    workspace: Workspace
    membership: Membership

    @property
    def can_control(self) -> bool:
        return role_allows(self.membership.role, "runs.start")


def access(user: User, run_id: str) -> RunAccess:
    """The run with its workflow, workspace and the user's membership there; a 404 for anyone else."""
    run = db.session.get(Run, run_id) if isinstance(run_id, str) and len(run_id) <= 36 else None
    membership = db.session.scalar(select(Membership).filter_by(workspace_id=run.workspace_id, user_id=user.id)) \
        if run is not None else None
    if run is None or membership is None:
        raise NotFound("Run not found.")
    return RunAccess(run, db.session.get(Workflow, run.workflow_id), db.session.get(Workspace, run.workspace_id),
                     membership)


def phase(run: Run) -> str:
    """The status to show: the stored status, except a running run asked to pause is "pausing"."""
    if run.status == "running" and run.pause_requested_at is not None:
        return "pausing"
    return run.status


def phase_out(run: Run) -> dict:
    key = phase(run)
    label, hint = PHASES.get(key, (key.capitalize(), ""))
    if key == "paused" and run.pause_reason and run.pause_reason != "user":
        hint = f"Paused by the server ({run.pause_reason.replace('_', ' ')})" + \
            (f": {run.pause_error}" if run.pause_error else ".")
    if key == "failed" and run.error:
        hint = run.error
    return {"key": key, "label": label, "hint": hint, "live": run.status in ACTIVE,
            "terminal": run.status in TERMINAL}


def controls(acc: RunAccess) -> dict:
    """Which buttons the page offers. The services check the same rules again on every POST."""
    run, key = acc.run, phase(acc.run)
    can = acc.can_control and acc.workflow is not None and acc.workflow.deleted_at is None
    return {"can_control": acc.can_control,
            "pause": can and key in ("pending", "running"),
            "resume": can and key == "paused",
            "cancel": can and run.status in ACTIVE,
            "rerun": can and run.status in TERMINAL,
            "retry": can and run.status in TERMINAL}


def versions(run: Run, wf: Workflow | None) -> dict:
    pinned = db.session.get(WorkflowVersion, run.version_id) if run.version_id else None
    latest = db.session.get(WorkflowVersion, wf.current_version_id) if wf is not None and wf.current_version_id else None
    return {"pinned": pinned.number if pinned else None, "latest": latest.number if latest else None,
            "is_latest": bool(pinned and latest and pinned.id == latest.id)}


def line_locales(run: Run, line: dict) -> list[str]:
    """The locales a source line is spoken in: its own and every translation it got."""
    out = [line.get("locale") or "en-us"]
    for loc in (line.get("translations") or {}):
        if loc not in out:
            out.append(loc)
    return out


def progress(run: Run) -> dict:
    """(line, locale) pairs settled (delivered, dropped or failed for good) out of those expected."""
    expected = {(ln["index"], loc) for ln in (run.lines or []) for loc in line_locales(run, ln)}
    rows = db.session.execute(select(Take.line_index, Take.locale, Take.node_type, Take.status, Take.dropped)
                              .where(Take.run_id == run.id, (Take.node_type.in_(SINK_TYPES) & (Take.status == "done"))
                                     | Take.dropped.is_(True) | (Take.status == "failed"))).all()
    delivered, settled = set(), set()
    for line_index, locale, node_type, _status, _dropped in rows:
        expected.add((line_index, locale))
        settled.add((line_index, locale))
        if node_type in SINK_TYPES:
            delivered.add((line_index, locale))
    total = len(expected)
    return {"total": total, "settled": len(settled), "delivered": len(delivered),
            "percent": int(round(100 * len(settled) / total)) if total else (100 if run.status in TERMINAL else 0)}


def node_counts(run: Run) -> list[dict]:
    """Per node of the snapshot: its state and its takes counted per locale (all attempts)."""
    counts: dict[str, dict[str, dict]] = defaultdict(dict)
    q = select(Take.node_id, Take.locale, Take.status, Take.port, Take.dropped, func.count()) \
        .where(Take.run_id == run.id).group_by(Take.node_id, Take.locale, Take.status, Take.port, Take.dropped)
    for node_id, locale, status, port, dropped, n in db.session.execute(q):
        c = counts[node_id].setdefault(locale, {"total": 0, "done": 0, "failed": 0, "open": 0, "cancelled": 0,
                                                "pass": 0, "fail": 0, "dropped": 0})
        c["total"] += n
        key = {"done": "done", "failed": "failed", "cancelled": "cancelled"}.get(status, "open")
        c[key] += n
        if status == "done" and port in ("pass", "fail"):
            c[port] += n
        if dropped:
            c["dropped"] += n
    in_wave = dict(db.session.execute(
        select(Take.node_id, func.count()).where(Take.run_id == run.id, Take.status.in_(("pending", "running")),
                                                 Take.wave <= run.current_wave).group_by(Take.node_id)).all())
    out = []
    for node in graph_nodes(run):
        per_locale = counts.get(node["id"], {})
        total = {k: sum(c[k] for c in per_locale.values()) for k in
                 ("total", "done", "failed", "open", "cancelled", "pass", "fail", "dropped")}
        out.append({"id": node["id"], "type": node.get("type") or "", "label": node_label(node),
                    "validator": is_validator(node.get("type")), "sink": node.get("type") in SINK_TYPES,
                    "state": _node_state(run, total, in_wave.get(node["id"], 0)), "totals": total,
                    "locales": [{"locale": loc, **c} for loc, c in sorted(per_locale.items())]})
    return out


def _node_state(run: Run, t: dict, open_in_wave: int) -> str:
    """running: it has open takes in the wave being worked on; waiting: open takes in a later wave
    (or the run is pending); paused: open takes of a paused run."""
    if t["open"]:
        if run.status == "paused":
            return "paused"
        return "running" if run.status == "running" and open_in_wave else "waiting"
    if not t["total"]:
        return "waiting" if run.status in ACTIVE else "skipped"
    if t["cancelled"] and not t["done"]:
        return "cancelled"
    if t["failed"] and not t["done"]:
        return "failed"
    return "done"


def locales_of(run: Run) -> list[str]:
    seen = list(run.locales or [])
    for line in run.lines or []:
        for loc in line_locales(run, line):
            if loc not in seen:
                seen.append(loc)
    return sorted(seen)
