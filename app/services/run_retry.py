"""Two ways to run a finished run again, kept apart on purpose:

- retry_failed_lines: a new run of the SAME pinned workflow version (the run's own definition
  snapshot, version_id unchanged) over only the lines that were not delivered in every one of
  their languages (a take failed, a validator dropped the line, or the run ended before it was
  delivered). Each of those lines is spoken again in all its languages; audio that is unchanged is
  reused from the generator's cache. Sources that have no such line are left out of the new run.
  The new snapshot records {"retry_of": {run_id, run_number, line_indexes}}.
- run_again_latest: a new run of the workflow as it is now (its latest version), with the same
  one-off script if the run had one.

Both go through app/engine/launcher.start_run, so roles, the one-active-run rule, plan limits,
credits and translation gates are checked exactly as for any launch.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

from app.auth.permissions import require_role
from app.engine import launcher
from app.errors import Conflict, NotFound
from app.models import TERMINAL, Membership, Run, User, Workflow, Workspace
from app.services.run_data import RunTakes, card_for, graph_nodes
from app.services.run_view import line_locales
from app.workflows.definition import graph_lists
from app.workflows.nodes import SOURCE


@dataclass
class PinnedWorkflow:
    """The workflow as a run pinned it: what start_run reads of a workflow, with the run's own
    definition and version in place of the current ones."""
    id: str
    workspace_id: str
    name: str
    definition: dict
    current_version_id: str | None


def failed_lines(run: Run) -> list[int]:
    """Indexes of the lines not delivered in every one of their languages."""
    rt = RunTakes.load(run)
    nodes = {n["id"]: n for n in graph_nodes(run)}
    out = []
    for line in sorted(run.lines or [], key=lambda ln: ln["index"]):
        for locale in line_locales(run, line):
            card = card_for(rt, line, locale, nodes, include_dropped=True)
            if card is None or card["status"] != "delivered":
                out.append(line["index"])
                break
    return out


def _check(run: Run, wf: Workflow | None, membership: Membership) -> None:
    require_role(membership.role, "runs.start", "Viewers cannot run workflows.")
    if wf is None or wf.deleted_at is not None:
        raise NotFound("This run's workflow has been deleted.")
    if run.status not in TERMINAL:
        raise Conflict(f"This run is {run.status}; it can be run again once it has ended.", code="RUN_NOT_FINISHED")


def retry_snapshot(run: Run, indexes: list[int]) -> dict:
    """The run's snapshot with each source's text replaced by its lines among `indexes` (uploads
    dropped, the language the line was read in kept); sources without such lines removed."""
    wanted = set(indexes)
    by_source: dict[str, list[dict]] = {}
    for line in sorted(run.lines or [], key=lambda ln: ln["index"]):
        if line["index"] in wanted:
            by_source.setdefault(line.get("source_node"), []).append(line)
    snap = copy.deepcopy(run.definition_snapshot or {})
    nodes, edges = graph_lists(snap)
    drop = set()
    for node in nodes:
        if not isinstance(node, dict) or node.get("type") != SOURCE:
            continue
        lines = by_source.get(node.get("id"))
        if not lines:
            drop.add(node.get("id"))
            continue
        cfg = dict(node.get("config") or {})
        cfg["text"] = "\n".join(ln.get("text") or "" for ln in lines)
        cfg.pop("upload_id", None)
        if lines[0].get("locale"):
            cfg["source_language"] = lines[0]["locale"]
        node["config"] = cfg
    if drop:
        snap["graph"]["nodes"] = [n for n in nodes if not (isinstance(n, dict) and n.get("id") in drop)]
        snap["graph"]["edges"] = [e for e in edges if not (isinstance(e, dict) and e.get("source") in drop)]
    snap["retry_of"] = {"run_id": run.id, "run_number": run.run_number, "line_indexes": sorted(wanted)}
    return snap


def retry_failed_lines(ws: Workspace, membership: Membership, user: User, wf: Workflow | None, run: Run) -> Run:
    _check(run, wf, membership)
    indexes = failed_lines(run)
    if not indexes:
        raise Conflict("Every line of this run was delivered; there is nothing to retry.", code="NOTHING_TO_RETRY")
    pinned = PinnedWorkflow(id=wf.id, workspace_id=wf.workspace_id, name=wf.name,
                            definition=retry_snapshot(run, indexes), current_version_id=run.version_id)
    new_run, _created = launcher.start_run(ws, membership, user, pinned, {})
    return new_run


def run_again_latest(ws: Workspace, membership: Membership, user: User, wf: Workflow | None, run: Run) -> Run:
    _check(run, wf, membership)
    body = {"script_text": run.script_text} if run.script_text is not None else {}
    if run.source_language is not None:
        body["source_language"] = run.source_language
    new_run, _created = launcher.start_run(ws, membership, user, wf, body)
    return new_run
