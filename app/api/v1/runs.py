"""workflows.runs.*: start, list, get, status, steps, pause, resume, cancel."""
from flask import request

from app.api import api_v1
from app.api.context import principal, workspace
from app.api.envelope import ok, ok_list
from app.api.params import body, boolean, choice, paging
from app.api.registry import endpoint
from app.engine import control, launcher
from app.extensions import db
from app.services import runs as runs_svc
from app.services import workflows as wf_svc
from app.workflows.nodes import NODE_SPECS

T = "Workflow runs"
W = "Workflows"


def _run(workflow_id, run_id, scope="workflows:read"):
    ws, m = workspace(scope)
    wf = wf_svc.get(ws, workflow_id)
    return ws, m, wf, runs_svc.get(wf, run_id)


@endpoint(api_v1, "/workflows/<workflow_id>/runs", ("POST",), sdk="workflows.runs.start", scope="workflows:run",
          tag=T, status=202, body={"script_text": ("str", False), "source_language": ("str", False)},
          response="WorkflowRunOut")
def start_run(workflow_id):
    """Start a run (202). Honours Idempotency-Key: the same key and body return the same run."""
    ws, m = workspace("workflows:run")
    wf = wf_svc.get(ws, workflow_id)
    run, _created = launcher.start_run(ws, m, principal().user, wf, body(),
                                       idempotency_key=request.headers.get("Idempotency-Key"))
    db.session.commit()
    return ok(runs_svc.run_out(run), 202)


@endpoint(api_v1, "/workflows/<workflow_id>/runs", sdk="workflows.runs.list", scope="workflows:read", tag=T,
          query={"offset": "int", "limit": "int", "status": "str", "search": "str", "sort": "str", "order": "str"},
          response="list[WorkflowRunListItem]")
def list_runs(workflow_id):
    """Counted list of a workflow's runs (status: one comma-separated string; newest first)."""
    ws, _m = workspace("workflows:read")
    wf = wf_svc.get(ws, workflow_id)
    statuses = runs_svc.parse_statuses(request.args.get("status"))
    sort = choice("sort", tuple(runs_svc.RUN_SORTS), "created_at")
    order = choice("order", ("asc", "desc"), "desc")
    offset, limit = paging()
    rows, total = runs_svc.list_runs(wf, statuses=statuses, search=request.args.get("search"), sort=sort,
                                     order=order, offset=offset, limit=limit)
    return ok_list([runs_svc.run_list_item(r) for r in rows], limit=limit, offset=offset, total=total)


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>", sdk="workflows.runs.get", scope="workflows:read",
          tag=T, response="WorkflowRunDetailOut")
def get_run(workflow_id, run_id):
    """Every run field plus the raw definition snapshot captured at start."""
    *_rest, run = _run(workflow_id, run_id)
    return ok(runs_svc.run_detail_out(run))


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>/status", sdk="workflows.runs.status",
          scope="workflows:read", tag=T, response="WorkflowRunStatusOut")
def run_status(workflow_id, run_id):
    """Lightweight polling view (status running + pause_requested_at = pausing)."""
    *_rest, run = _run(workflow_id, run_id)
    out = runs_svc.run_out(run)
    out.pop("estimate", None)
    return ok(out)


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>/steps", sdk="workflows.runs.steps",
          scope="workflows:read", tag=T, query={"include_result": "bool", "node_type": "str", "node_id": "str"},
          response="list[WorkflowRunStepOut]")
def run_steps(workflow_id, run_id):
    """One row per node execution in order; retries are further iterations."""
    *_rest, run = _run(workflow_id, run_id)
    node_type = choice("node_type", tuple(NODE_SPECS))
    rows = runs_svc.steps(run, node_type=node_type, node_id=request.args.get("node_id") or None,
                          include_result=boolean("include_result", False))
    return ok(rows)


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>/pause", ("POST",), sdk="workflows.pause_run",
          scope="workflows:run", tag=W, response="WorkflowRunOut")
def pause_run(workflow_id, run_id):
    """Drain the current wave, then park; a pending run parks at once; idempotent."""
    _ws, m, _wf, run = _run(workflow_id, run_id, "workflows:run")
    run = control.pause(run, m)
    db.session.commit()
    return ok(runs_svc.run_out(run))


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>/resume", ("POST",), sdk="workflows.resume_run",
          scope="workflows:run", tag=W, response="WorkflowRunOut")
def resume_run(workflow_id, run_id):
    """Continue a paused run from the last completed wave."""
    _ws, m, _wf, run = _run(workflow_id, run_id, "workflows:run")
    run = control.resume(run, m, principal().user)
    db.session.commit()
    return ok(runs_svc.run_out(run))


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>/cancel", ("POST",), sdk="workflows.runs.cancel",
          scope="workflows:run", tag=T, response="WorkflowRunOut")
def cancel_run(workflow_id, run_id):
    """Cancel at once (pending/running/paused); terminal runs come back unchanged."""
    _ws, m, _wf, run = _run(workflow_id, run_id, "workflows:run")
    run = control.cancel(run, m)
    db.session.commit()
    return ok(runs_svc.run_out(run))


@endpoint(api_v1, "/workflows/<workflow_id>/runs/<run_id>/events", sdk=None, scope="workflows:read", tag=T,
          response="text/event-stream")
def run_events(workflow_id, run_id):
    """Live progress of one run as server-sent events (Last-Event-ID replays what was missed)."""
    from app.realtime.sse import run_events as stream
    *_rest, run = _run(workflow_id, run_id)
    return stream(run, request.headers.get("Last-Event-ID") or request.args.get("last_event_id"))


@endpoint(api_v1, "/runs/events", sdk=None, scope="workflows:read", tag=T, response="text/event-stream")
def workspace_run_events():
    """Status changes of every run of the workspace (the runs list), as server-sent events."""
    from app.realtime.sse import workspace_events
    ws, _m = workspace("workflows:read")
    return workspace_events(ws.id, request.headers.get("Last-Event-ID") or request.args.get("last_event_id"))
