"""What a finished run leaves behind: its usage summary (per locale), an activity event, and an
email to the person who started it when their notification preferences ask for one."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from app.extensions import db
from app.models import Run, Take, User, Workflow, Workspace
from app.services import activity, outbox


def usage_by_locale(run: Run) -> dict:
    per = defaultdict(lambda: {"characters": 0, "lines": 0, "audio_ms": 0, "credits_milli": 0})
    for t in db.session.execute(select(Take.node_type, Take.locale, Take.text, Take.duration_ms, Take.credits_milli,
                                       Take.status, Take.settled).where(Take.run_id == run.id)):
        row = per[t.locale]
        if t.settled:
            row["credits_milli"] += t.credits_milli or 0
        if t.node_type == "operator_generator" and t.status == "done":
            row["characters"] += len(t.text or "")
        if t.node_type == "sink_preview" and t.status == "done":
            row["lines"] += 1
            row["audio_ms"] += t.duration_ms or 0
    return {loc: dict(v) for loc, v in sorted(per.items())}


def on_finished(run: Run) -> None:
    locales = usage_by_locale(run)
    run.usage_summary = {**(run.usage_summary or {}), "locales": locales,
                         "lines_delivered": sum(v["lines"] for v in locales.values()),
                         "audio_ms": sum(v["audio_ms"] for v in locales.values()),
                         "characters": sum(v["characters"] for v in locales.values())}
    from app.services.voices import record_run_uses
    record_run_uses(run)
    wf = db.session.get(Workflow, run.workflow_id)
    activity.record(run.workspace_id, run.triggered_by, "voice_generated", f"run.{run.status}", "run", run.id,
                    wf.name if wf else None, data={"workflow_id": run.workflow_id, "run_number": run.run_number,
                                                   "lines": run.usage_summary["lines_delivered"]})
    user = db.session.get(User, run.triggered_by) if run.triggered_by else None
    if user is None or wf is None:
        return
    wants = user.completed_generation_email if run.status == "completed" else user.failed_generation_email
    if run.status in ("completed", "failed") and wants:
        ws = db.session.get(Workspace, run.workspace_id)
        outbox.send(kind=f"run_{run.status}", to=user.email, workspace_id=run.workspace_id,
                    subject=f"Run {run.run_number} of {wf.name} {run.status}",
                    context={"run": run, "workflow": wf, "workspace": ws, "user": user})
