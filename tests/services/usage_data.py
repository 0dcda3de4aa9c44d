"""Synthetic usage rows at chosen instants (runs, takes, settle entries, activity events), written
straight to the tables the usage figures read. For the bucketing and paging edges; the real-run
reconciliation lives in test_usage_reconciliation.py."""
from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.models import ActivityEvent, LedgerEntry, Run, Take, Workflow

GEN, SINK = "operator_generator", "sink_preview"


def workflow(ws, user, name: str = "Usage test") -> Workflow:
    wf = Workflow(workspace_id=ws.id, user_id=user.id, name=name, definition={"graph": {"nodes": [], "edges": []}})
    db.session.add(wf)
    db.session.flush()
    return wf


def run(ws, user, at: datetime, lines: list[dict], *, credits: int, status: str = "completed",
        wf: Workflow | None = None, number: int = 1) -> Run:
    """A run created, taken and settled at `at`. Each line: {locale, text, ms, milli, attempts (default 1)}:
    one generator take per attempt (the last one delivered) and one sink take."""
    wf = wf or workflow(ws, user)
    r = Run(workspace_id=ws.id, workflow_id=wf.id, run_number=number, status=status, triggered_by=user.id,
            created_at=at, updated_at=at, started_at=at, completed_at=at, credits=credits)
    db.session.add(r)
    db.session.flush()
    for i, line in enumerate(lines):
        for attempt in range(1, line.get("attempts", 1) + 1):
            db.session.add(Take(run_id=r.id, workspace_id=ws.id, node_id="gen", node_type=GEN, line_index=i,
                                locale=line["locale"], attempt=attempt, status="done", text=line["text"],
                                credits_milli=line.get("milli", 0), settled=True, units=len(line["text"]),
                                finished_at=at, created_at=at))
        if line.get("delivered", True):
            db.session.add(Take(run_id=r.id, workspace_id=ws.id, node_id="out", node_type=SINK, line_index=i,
                                locale=line["locale"], attempt=1, status="done", text=line["text"],
                                duration_ms=line.get("ms", 1000), finished_at=at, created_at=at, accepted=True))
    if credits:
        db.session.add(LedgerEntry(user_id=user.id, workspace_id=ws.id, kind="settle", amount=-credits,
                                   run_id=r.id, dedup_key=f"settle:{r.id}:test", created_at=at))
    db.session.add(ActivityEvent(workspace_id=ws.id, user_id=user.id, action="workflow_run", kind="run.started",
                                 resource_type="run", resource_id=r.id, resource_name=wf.name, created_at=at))
    db.session.commit()
    return r


def event(ws, user, at: datetime, action: str = "settings_changed", kind: str = "workspace.updated",
          ip: str | None = None) -> ActivityEvent:
    ev = ActivityEvent(workspace_id=ws.id, user_id=user.id if user else None, action=action, kind=kind,
                       resource_type="workspace", resource_id=ws.id, resource_name=ws.name, created_at=at, ip=ip)
    db.session.add(ev)
    db.session.commit()
    return ev
